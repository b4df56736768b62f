from django.shortcuts import render

from liangxin.accounts.permissions import can_create_region
from liangxin.regions.models import Region, RegionLevel
from liangxin.regions.selectors import region_list_for_user


def home(request):
    context = {}
    if request.user.is_authenticated:
        context["regions"] = region_list_for_user(request.user)
        context["can_create_region"] = can_create_region(request.user)
    else:
        # Only the names of the counties the platform serves: public, like a login page's logo.
        context["public_regions"] = Region.objects.filter(level=RegionLevel.COUNTY).order_by("code")
    return render(request, "core/home.html", context)
