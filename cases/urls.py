from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case-list"),
    path("cases/<str:slug>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("practices/<str:slug>/", views.PracticeDetailView.as_view(), name="practice-detail"),
]
