from django.core.exceptions import PermissionDenied
from ninja import Router, Schema
from ninja.responses import Status

from liangxin.accounts.permissions import can_create_region, get_region_for_user
from liangxin.core.i18n import chinese_display
from liangxin.regions.selectors import department_list, region_list_for_user
from liangxin.regions.services import department_create, region_create

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None


class RegionIn(Schema):
    code: str
    name: str
    parent_code: str | None = None


class DepartmentOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    short_name: str


class DepartmentIn(Schema):
    name: str
    kind: str = ""
    short_name: str = ""


class ErrorOut(Schema):
    code: str
    message: str
    message_en: str
    field: str | None = None


def _region_out(region) -> dict:
    return {"code": region.code, "name": region.name, "level": region.level, "parent_code": region.parent.code if region.parent else None}


def _department_out(d) -> dict:
    return {"id": d.id, "name": d.name, "kind": d.kind, "kind_label": chinese_display(d, "kind"), "short_name": d.short_name}


@router.get("", response=list[RegionOut], summary="可见的行政区划 (regions visible to the caller)")
def list_regions(request):
    return [_region_out(r) for r in region_list_for_user(request.user)]


@router.post(
    "",
    response={201: RegionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="新增行政区划 (add a region; system admins)",
)
def create_region(request, payload: RegionIn):
    if not can_create_region(request.user):
        raise PermissionDenied("只有系统管理员可以新增行政区划")
    region = region_create(actor=request.user, code=payload.code, name=payload.name, parent_code=payload.parent_code)
    return Status(201, _region_out(region))


@router.get("/{code}", response={200: RegionOut, 404: ErrorOut}, summary="行政区划详情 (one region)")
def get_region(request, code: str):
    return _region_out(get_region_for_user(request.user, code))


@router.get("/{code}/departments", response={200: list[DepartmentOut], 404: ErrorOut}, summary="部门列表 (departments)")
def list_departments(request, code: str):
    region = get_region_for_user(request.user, code)
    return [_department_out(d) for d in department_list(region)]


@router.post(
    "/{code}/departments",
    response={201: DepartmentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="新增部门 (add a department; working-group admins)",
)
def create_department(request, code: str, payload: DepartmentIn):
    region = get_region_for_user(request.user, code, write=True)
    department = department_create(
        actor=request.user, region=region, name=payload.name, kind=payload.kind, short_name=payload.short_name
    )
    return Status(201, _department_out(department))


