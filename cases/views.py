"""Web pages for cases (placeholder until the web UI lands)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def case_list(request):
    return HttpResponse("工单列表")
