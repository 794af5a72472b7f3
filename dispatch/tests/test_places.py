from dispatch.places import address_variants, chinese_to_int, point_in_polygon
from dispatch.selectors import place_for
from org.tests.factories import AddressRangeFactory, EstateFactory, GridFactory


def test_chinese_numbers_are_read():
    assert chinese_to_int("一百二十八") == 128
    assert chinese_to_int("十二") == 12
    assert chinese_to_int("三十") == 30
    assert chinese_to_int("一二八") == 128


def test_variants_cover_full_width_digits_old_lane_character_dashes_and_chinese_numbers():
    assert address_variants("愚园路１２８衖3号")[0] == "愚园路128弄3号"
    assert "愚园路128弄3号" in address_variants("愚园路128-3号")
    assert address_variants("愚园路一百二十八弄三号")[0] == "愚园路128弄3号"
    assert "愚谷村" in address_variants("愚谷邨")


def test_it_places_spelling_variants_of_a_known_address(street):
    for typed in ["愚园路１２８衖3号", "上海市静安区愚园路128弄3号501室", "愚园路 128-3", "愚园路一百二十八弄"]:
        place = place_for(typed)
        assert place.known, typed
        assert place.estate == street.estate and place.neighbourhood == street.neighbourhood
        assert place.how == "address"


def test_it_places_a_estate_name_written_with_the_variant_character(street):
    estate = EstateFactory(name="愚谷邨", neighbourhood=street.other_neighbourhood, grid=street.other_grid)
    place = place_for("愚谷村里面")
    assert place.estate == estate and place.how == "estate_name"


def test_an_unknown_address_is_flagged_not_guessed(street):
    place = place_for("南京东路1号")
    assert not place.known
    assert place.estate is None and place.neighbourhood is None and place.how == ""


def test_a_number_outside_every_range_is_unknown(street):
    assert not place_for("愚园路500弄2号").known


def test_coordinates_find_the_grid_by_polygon(street):
    square = [[121.44, 31.22], [121.45, 31.22], [121.45, 31.23], [121.44, 31.23], [121.44, 31.22]]
    grid = GridFactory(name="坐标网格", neighbourhood=street.other_neighbourhood, polygon=square)
    place = place_for("", 31.225, 121.445)
    assert place.grid == grid and place.neighbourhood == street.other_neighbourhood and place.how == "coordinates"
    assert not place_for("", 31.3, 121.445).known


def test_an_address_wins_over_coordinates(street):
    GridFactory(name="坐标网格", neighbourhood=street.other_neighbourhood,
                polygon=[[121.44, 31.22], [121.45, 31.22], [121.45, 31.23], [121.44, 31.23]])
    assert place_for("愚园路128弄3号", 31.225, 121.445).neighbourhood == street.neighbourhood


def test_point_in_polygon():
    triangle = [[0, 0], [10, 0], [0, 10]]
    assert point_in_polygon(1, 1, triangle)
    assert not point_in_polygon(9, 9, triangle)


def test_neighbouring_lane_on_the_same_road_is_a_neighbour(street):
    from dispatch.selectors import neighbouring_estates

    across = EstateFactory(name="对面小区", neighbourhood=street.neighbourhood, grid=street.grid)
    AddressRangeFactory(estate=across, road="愚园路", first=170, last=200)
    far = EstateFactory(name="远处小区", neighbourhood=street.neighbourhood, grid=street.grid)
    AddressRangeFactory(estate=far, road="愚园路", first=400, last=420)
    place = place_for("愚园路165弄2号")
    assert neighbouring_estates("愚园路165弄2号", place) == {street.estate.pk, across.pk}


def test_a_landmark_places_an_address_without_a_number(street):
    from dispatch.models import Landmark

    Landmark.objects.create(name="愚园路菜场", aliases="愚园菜场,菜市场", neighbourhood=street.neighbourhood,
                            estate=street.estate)
    place = place_for("愚园菜场门口")
    assert place.how == "landmark" and place.matched == "愚园菜场"
    assert place.neighbourhood == street.neighbourhood and place.grid == street.grid
    assert place_for("愚园路128弄3号").how == "address"  # a house number still wins


def test_the_demo_landmarks_load_where_their_neighbourhood_exists(street):
    from dispatch.demo import demo_landmarks_load
    from dispatch.models import Landmark
    from org.tests.factories import NeighbourhoodFactory

    NeighbourhoodFactory(code="JABS", name="静安别墅居民区")
    assert demo_landmarks_load() == 3  # 静安寺, 久光百货 and 愚园路菜场 (JT); other 居民区 are not in this street
    assert demo_landmarks_load() == 0
    assert place_for("久光门口有人乱设摊").neighbourhood.name == "静安别墅居民区"
    assert Landmark.objects.count() == 3
