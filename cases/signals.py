"""Signals other apps listen to. Single changes are visible as CaseEvent saves; bulk writes (COPY) send this."""

from django.dispatch import Signal

# sent with registered_at=[datetime, …] after cases are registered in bulk (no per-row post_save is sent)
cases_registered_in_bulk = Signal()
