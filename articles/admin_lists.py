"""What every list in the admin does with a filter it cannot read: refuse it like Django refuses any
bad filter (the list again, marked), never a 500.

Django turns a year or a date that is no date into that answer, but not one too large for its date
arithmetic (a year of twenty digits in a date hierarchy; 0001-01-01 in a ``__gte`` filter on SQLite):
an OverflowError.
"""

from django.contrib.admin.options import IncorrectLookupParameters


class DateFilterChecked:
    """A ModelAdmin mixin for lists with a date hierarchy or date filters (see above)."""

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error
