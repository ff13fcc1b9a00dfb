"""Public views. STUB: the public-site helper replaces this module."""

from django.views.generic import DetailView, ListView

from .models import Case, Practice


class CaseListView(ListView):
    queryset = Case.objects.published().with_related()
    template_name = "cases/case_list.html"
    paginate_by = 20


class CaseDetailView(DetailView):
    queryset = Case.objects.published().with_related()
    template_name = "cases/case_detail.html"


class PracticeDetailView(DetailView):
    model = Practice
    template_name = "cases/practice_detail.html"
