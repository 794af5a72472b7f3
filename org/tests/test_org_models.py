import pytest
from django.core.exceptions import ValidationError

from org.models import AddressRange, Department, Role, User
from org.tests.factories import CategoryFactory, GridFactory, ParentCategoryFactory

pytestmark = pytest.mark.django_db


def test_category_taxonomy_has_only_two_levels():
    leaf = CategoryFactory()
    too_deep = CategoryFactory.build(parent=leaf, code="X1")
    with pytest.raises(ValidationError) as error:
        too_deep.full_clean()
    assert "只有两级" in str(error.value)
    assert leaf.is_leaf and not ParentCategoryFactory().is_leaf


def test_a_residents_committee_needs_its_neighbourhood():
    with pytest.raises(ValidationError) as error:
        Department(name="某居委会", kind=Department.Kind.RESIDENTS_COMMITTEE).full_clean()
    assert "居委会必须指定所属居民区" in str(error.value)


def test_handler_grid_and_cadre_users_need_their_scope():
    for role, message in [(Role.HANDLER, "所属单位"), (Role.GRID, "所属网格"), (Role.CADRE, "所属居民区")]:
        with pytest.raises(ValidationError) as error:
            User(username=f"u_{role}", role=role, password="x").full_clean()
        assert message in str(error.value)


def test_address_range_must_be_ordered(street):
    with pytest.raises(ValidationError):
        AddressRange(estate=street.estate, road="愚园路", first=200, last=100).full_clean()


def test_grid_polygon_is_validated():
    grid = GridFactory.build(polygon=[[121.44, 31.22], [121.45]])
    with pytest.raises(ValidationError) as error:
        grid.full_clean(exclude=["neighbourhood"])
    assert "边界多边形" in str(error.value)
