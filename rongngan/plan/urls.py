from django.urls import path

from rongngan.plan import views, views_edit

app_name = "plan"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views_edit.plan_create, name="plan_create"),
    # A plan whose stored code no address can carry is reached by its id to be renamed.
    path("by-id/<int:pk>/edit/", views_edit.plan_edit_by_id, name="plan_edit_by_id"),
    path("<slug:code>/", views.plan_detail, name="plan_detail"),
    path("<slug:code>/edit/", views_edit.plan_edit, name="plan_edit"),
    path("<slug:code>/dashboard/", views.dashboard, name="dashboard"),
    path("<slug:code>/budget/", views.budget, name="budget"),
    path("<slug:code>/consistency/", views.consistency, name="consistency"),
    path("<slug:code>/report.<str:fmt>", views.report, name="report"),
    path("<slug:code>/strategies/new/", views_edit.strategy_create, name="strategy_create"),
    path("<slug:code>/strategies/<int:pk>/edit/", views_edit.strategy_edit, name="strategy_edit"),
    path(
        "<slug:code>/strategies/<int:pk>/approaches/new/",
        views_edit.approach_create,
        name="approach_create",
    ),
    path("<slug:code>/approaches/<int:pk>/edit/", views_edit.approach_edit, name="approach_edit"),
    path("<slug:code>/kpis/new/", views_edit.kpi_create, name="kpi_create"),
    path("<slug:code>/kpis/<int:pk>/", views.kpi_detail, name="kpi_detail"),
    path("<slug:code>/kpis/<int:pk>/edit/", views_edit.kpi_edit, name="kpi_edit"),
    path("<slug:code>/kpis/<int:pk>/records/", views.kpi_records, name="kpi_records"),
    path(
        "<slug:code>/kpis/<int:pk>/evidence/<int:measurement>/",
        views.evidence,
        name="evidence",
    ),
    path("<slug:code>/projects/new/", views_edit.project_create, name="project_create"),
    path("<slug:code>/projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("<slug:code>/projects/<int:pk>/edit/", views_edit.project_edit, name="project_edit"),
]
