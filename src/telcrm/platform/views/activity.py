"""Placeholder replaced in this session."""
from django.http import HttpResponse

def audit_detail(request, *a, **k):
    return HttpResponse('audit_detail')

def audit_list(request, *a, **k):
    return HttpResponse('audit_list')

def job_cancel(request, *a, **k):
    return HttpResponse('job_cancel')

def job_detail(request, *a, **k):
    return HttpResponse('job_detail')

def job_download(request, *a, **k):
    return HttpResponse('job_download')

def job_list(request, *a, **k):
    return HttpResponse('job_list')

def job_progress(request, *a, **k):
    return HttpResponse('job_progress')

def job_retry(request, *a, **k):
    return HttpResponse('job_retry')

def monitoring(request, *a, **k):
    return HttpResponse('monitoring')

def py(request, *a, **k):
    return HttpResponse('py')

