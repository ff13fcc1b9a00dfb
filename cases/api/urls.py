from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register("figures", views.FigureViewSet, basename="figure")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("practices", views.PracticeViewSet, basename="practice")
router.register("places", views.PlaceViewSet, basename="place")

urlpatterns = [
    path("", views.api_index, name="index"),
    path("schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    path("", include(router.urls)),
    re_path(r"", views.not_found),  # any other address under /api/ answers in JSON too
]
