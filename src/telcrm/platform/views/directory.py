"""Placeholder replaced in this session."""
from django.http import HttpResponse

def org_create(request, *a, **k):
    return HttpResponse('org_create')

def org_detail(request, *a, **k):
    return HttpResponse('org_detail')

def org_edit(request, *a, **k):
    return HttpResponse('org_edit')

def org_tree(request, *a, **k):
    return HttpResponse('org_tree')

def profile(request, *a, **k):
    return HttpResponse('profile')

def py(request, *a, **k):
    return HttpResponse('py')

def role_edit(request, *a, **k):
    return HttpResponse('role_edit')

def role_list(request, *a, **k):
    return HttpResponse('role_list')

def user_create(request, *a, **k):
    return HttpResponse('user_create')

def user_detail(request, *a, **k):
    return HttpResponse('user_detail')

def user_edit(request, *a, **k):
    return HttpResponse('user_edit')

def user_export(request, *a, **k):
    return HttpResponse('user_export')

def user_list(request, *a, **k):
    return HttpResponse('user_list')

def user_password(request, *a, **k):
    return HttpResponse('user_password')

def user_reveal(request, *a, **k):
    return HttpResponse('user_reveal')

def user_unlock(request, *a, **k):
    return HttpResponse('user_unlock')

