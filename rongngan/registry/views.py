from django.http import HttpRequest, HttpResponse


def factory_list(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError  # replaced by the pages work
