"""Django's Chinese formats (``FORMAT_MODULE_PATH``), but a form's time box shows its seconds.

Django's zh_Hans formats put "%H:%M" first, and a time box shows its value in the first input format:
an embargo, a publish time, a preview link's expiry or a correction's time shown without its seconds
was saved without them (moved up to 59 s earlier) by any later save of the form, and the history
recorded a change nobody made. Everything else is Django's.
"""

TIME_INPUT_FORMATS = [
    "%H:%M:%S",  # '20:45:29'
    "%H:%M",  # '20:45'
    "%H:%M:%S.%f",  # '20:45:29.000200'
]
