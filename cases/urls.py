from django.urls import path, register_converter

from . import compare_views, figure_views, map_views, views

app_name = "cases"


class UnicodeSlugConverter:
    """Slugs may be Chinese (allow_unicode); anything else (a NUL byte, a slash) is a 404 before the database."""

    regex = r"[-\w]{1,100}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UnicodeSlugConverter, "uslug")

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case-list"),
    path("cases.csv", views.CaseListView.as_view(), {"format": "csv"}, name="case-list-csv"),
    path("cases.json", views.CaseListView.as_view(), {"format": "json"}, name="case-list-json"),
    path("figures.csv", views.CaseListView.as_view(), {"format": "figures"}, name="figure-list-csv"),
    path("figures/", figure_views.FigureListView.as_view(), name="figure-list"),
    path("compare/", compare_views.CompareView.as_view(), name="compare"),
    path("map/", map_views.MapView.as_view(), name="map"),
    path("map/data.json", map_views.MapView.as_view(), {"format": "json"}, name="map-data"),
    path("cases/<uslug:slug>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("practices/", views.PracticeListView.as_view(), name="practice-list"),
    path("practices/<uslug:slug>/", views.PracticeDetailView.as_view(), name="practice-detail"),
    path("places/", views.PlaceListView.as_view(), name="place-list"),
]
