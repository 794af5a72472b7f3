from dispatch import services
from dispatch.models import ClassifierVersion
from dispatch.selectors import categories_for_text

from .conftest import closed_case


def test_it_stores_a_version_with_its_data_and_evaluation(trained):
    version = ClassifierVersion.objects.get()
    assert version.n_samples == 24
    assert version.n_labels == 3
    assert "已结案工单 24 件" in version.data_description
    assert {"macro_f1", "accuracy", "train_seconds", "predict_per_second"} <= set(version.metrics)
    assert version.metrics["n_test"] == 5
    assert len(bytes(version.model)) > 1000


def test_it_suggests_top_three_categories_with_confidence_and_evidence(trained):
    guesses, version = categories_for_text("楼上有人群租,隔断成好几间,二房东出租给很多人")
    assert version == trained.version
    assert [g.category.name for g in guesses][0] == "群租"
    assert len(guesses) == 3
    assert guesses[0].probability > guesses[1].probability >= guesses[2].probability
    assert abs(sum(g.probability for g in guesses) - 1) < 0.05
    assert "群租" in guesses[0].evidence


def test_the_newest_version_is_used_after_retraining(trained):
    for n in range(10):
        closed_case(trained.street, trained.categories["房屋渗漏"], f"愚园路{n}弄 家里天花板漏水,墙面渗水发霉")
    newer = services.classifier_train()
    assert newer.n_samples == 34
    assert categories_for_text("天花板漏水")[1] == newer


def test_overridden_categories_feed_the_next_training(trained):
    # The dispatcher re-classified these as 群租: the final category is the label.
    for n in range(12):
        closed_case(trained.street, trained.categories["群租"], f"愚园路{n}弄 半夜有人在阁楼里住了八个外地人")
    services.classifier_train()
    assert categories_for_text("阁楼里住了八个外地人")[0][0].category.name == "群租"


def test_it_trains_from_category_keywords_alone_on_day_one(street):
    from org.tests.factories import CategoryFactory

    street.category.keywords = "堆物,楼道,消防通道"
    street.category.save()
    CategoryFactory(name="群租", keywords="群租,隔断,二房东")
    version = services.classifier_train()
    assert version.n_samples == 0
    assert "未评估" in version.metrics["note"]
    assert categories_for_text("隔壁是二房东搞的群租")[0][0].category.name == "群租"


def test_it_refuses_to_train_without_two_categories(db):
    import pytest

    from core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.classifier_train()


def test_a_version_that_cannot_be_loaded_gives_no_category_instead_of_an_error(street, caplog):
    from core import clock
    from dispatch.selectors import suggestion_for_text

    ClassifierVersion.objects.create(trained_at=clock.now(), n_samples=0, n_labels=0, data_description="损坏",
                                     model=b"not a pickle")
    suggestion = suggestion_for_text(content="楼道里堆满杂物", address="愚园路128弄3号")
    assert suggestion.categories == [] and suggestion.place.known
    assert "cannot be loaded" in caplog.text
