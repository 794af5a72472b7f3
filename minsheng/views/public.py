"""The public 十大民生 page (no login): a year's is_public projects with owner department, status, progress,
milestones and the public summary — and nothing about any need, case, household or person."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control

from core import clock

from ..selectors import projects as selectors


def public_index(request: HttpRequest) -> HttpResponse:
    years = selectors.public_years()
    return redirect("minsheng_public:year", year=years[0] if years else clock.now().year)


@cache_control(public=True, max_age=300)
def public_year(request: HttpRequest, year: int) -> HttpResponse:
    years = sorted(set(selectors.public_years()) | {year}, reverse=True)
    return render(request, "minsheng/public/year.html", {
        "year": year, "years": years, "projects": selectors.public_projects(year),
        "street_name": getattr(settings, "STREET_NAME", "")})
