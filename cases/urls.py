from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case-list"),
    path("cases.csv", views.CaseListView.as_view(), {"format": "csv"}, name="case-list-csv"),
    path("cases.json", views.CaseListView.as_view(), {"format": "json"}, name="case-list-json"),
    path("figures.csv", views.CaseListView.as_view(), {"format": "figures"}, name="figure-list-csv"),
    path("cases/<str:slug>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("practices/", views.PracticeListView.as_view(), name="practice-list"),
    path("practices/<str:slug>/", views.PracticeDetailView.as_view(), name="practice-detail"),
    path("places/", views.PlaceListView.as_view(), name="place-list"),
]
