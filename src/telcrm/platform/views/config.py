"""Placeholder replaced in this session."""
from django.http import HttpResponse

def calendar_edit(request, *a, **k):
    return HttpResponse('calendar_edit')

def calendar_list(request, *a, **k):
    return HttpResponse('calendar_list')

def deadline_calculator(request, *a, **k):
    return HttpResponse('deadline_calculator')

def dict_create(request, *a, **k):
    return HttpResponse('dict_create')

def dict_detail(request, *a, **k):
    return HttpResponse('dict_detail')

def dict_item_create(request, *a, **k):
    return HttpResponse('dict_item_create')

def dict_item_edit(request, *a, **k):
    return HttpResponse('dict_item_edit')

def dict_list(request, *a, **k):
    return HttpResponse('dict_list')

def holiday_create(request, *a, **k):
    return HttpResponse('holiday_create')

def holiday_delete(request, *a, **k):
    return HttpResponse('holiday_delete')

def parameter_edit(request, *a, **k):
    return HttpResponse('parameter_edit')

def parameter_history(request, *a, **k):
    return HttpResponse('parameter_history')

def parameter_list(request, *a, **k):
    return HttpResponse('parameter_list')

def py(request, *a, **k):
    return HttpResponse('py')

