"""The live server the browser tests talk to: a test's end waits for the request it left running.

A browser test may end while the server still answers its last click (a preview posted as the test
asserted the frame's earlier content). The database is emptied at the test's end; a request still
running then wrote after the emptying, or (SQLite in memory, one connection shared with the server)
broke the emptying itself, and the next test failed on its leftovers (CI, stop 27).

The two tests run in this order (pytest keeps a file's order): the first leaves a request running that
writes after it ends; the second finds what the first left.
"""

import threading
import time
import urllib.request

from django.http import HttpResponse
from django.urls import path

from articles.models import Section

STARTED, ANSWERED = threading.Event(), threading.Event()
LATE = "迟到的栏目"


def slow(request):
    STARTED.set()
    time.sleep(0.5)
    Section.objects.create(name=LATE)
    ANSWERED.set()
    return HttpResponse("ok")


urlpatterns = [path("slow/", slow)]


def test_a_test_may_end_while_its_last_request_is_answered(live_server, settings):
    settings.ROOT_URLCONF = __name__
    STARTED.clear()
    ANSWERED.clear()
    threading.Thread(target=urllib.request.urlopen, args=(live_server.url + "/slow/",), daemon=True).start()
    assert STARTED.wait(10)


def test_the_next_test_finds_nothing_the_last_one_left(live_server):
    assert ANSWERED.wait(10)
    assert not Section.objects.filter(name=LATE).exists()
