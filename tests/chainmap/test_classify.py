"""The segment classifier: words, part-of logic, hierarchical answers, industry codes, saved models,
and quality floors on the frozen test split."""

import hashlib

import pytest

from chainmap.classify import Level
from chainmap.classify_quality import evaluate, without_codes
from chainmap.model_store import classifier_for, load_or_fit, model_key
from chainmap.training import Description, frozen_test_file, load_labelled, record_examples
from chainmap.vocabulary import PART_OF

# Measured on the frozen split (`chainmap bench-classify`, see the README), kept a little below
# so that a real drop fails and noise does not.
DIRECTION_FLOOR, SEGMENT_FLOOR, OUTSIDE_NONE_FLOOR, CALIBRATION_CEILING = 0.88, 0.76, 0.77, 0.08
# The frozen split may not change silently: a new split is a new file and a new hash.
FROZEN_SHA256 = "3a4f999f6a4e6c8762be9f2b5771d3be0d2d54e572095a0aafe5a82630150ba0"


@pytest.fixture(scope="module")
def classifier(chain):
    return classifier_for(chain.code)


@pytest.fixture(scope="module")
def frozen(chain):
    return load_labelled(frozen_test_file(chain.code))


def _codes(classifier, text: str, code: str = "") -> list[str]:
    return [m.code for m in classifier.classify(Description(products=text, industry_code=code))]


def test_the_frozen_split_is_unchanged_and_shares_nothing_with_training(chain, frozen):
    assert hashlib.sha256(frozen_test_file(chain.code).read_bytes()).hexdigest() == FROZEN_SHA256
    training = record_examples(chain.code)
    assert len(training) + len(frozen) >= 1000
    assert not {e.description.name for e in frozen} & {e.description.name for e in training}
    assert not {e.description.products for e in frozen if e.description.products} & {
        e.description.products for e in training
    }
    assert {code for e in frozen for code in e.segments} <= set(chain.segments)
    assert sum(not e.segments for e in frozen) >= 100


def test_words_not_substrings_decide(classifier):
    vocabulary = classifier.vocabulary
    assert "脑电" not in vocabulary.tokens("电脑电视盒")
    assert {h.code for h in vocabulary.hits(vocabulary.tokens("集成电路、芯片"))} == {"ST.CHIP"}


def test_a_device_word_before_a_part_word_names_the_parts_use(classifier):
    vocabulary = classifier.vocabulary
    tokens = vocabulary.tokens("手机天线、LED照明驱动芯片")
    assert PART_OF + "手机" in tokens and "手机" not in tokens
    codes = {h.code for h in vocabulary.hits(tokens)}
    assert "ST.AIT.PHONE" not in codes and "ST.PART.PCB" in codes
    assert "ST.AIT.PHONE" in {h.code for h in vocabulary.hits(vocabulary.tokens("智能手机、平板电脑"))}


def test_scenario_words_count_only_without_a_product_word(classifier):
    vocabulary = classifier.vocabulary
    with_product = {h.code for h in vocabulary.hits(vocabulary.tokens("多层板，应用于轨道交通、智能制造"))}
    assert with_product == {"ST.PART.PCB"}
    assert "ST.SCN.TRANS" in {h.code for h in vocabulary.hits(vocabulary.tokens("轨道交通信号系统集成"))}


def test_everyday_product_words_reach_their_segments(classifier):
    assert _codes(classifier, "冰箱、空调、洗衣机")[0] == "ST.HOME.APP"
    assert _codes(classifier, "多层印制电路板、HDI板")[0] == "ST.PART.PCB"
    assert _codes(classifier, "手机天线")[0].startswith("ST.PART")
    assert _codes(classifier, "面包、蛋糕、月饼") == []


def test_answers_stop_at_the_level_the_evidence_supports(classifier):
    vague = classifier.classify(Description(products="芯片"))
    assert vague and vague[0].code in ("ST.CHIP", "ST.SUP") and vague[0].level is not Level.LEAF
    assert vague[0].display_name.endswith("（未细分）")
    sure = classifier.classify(Description("上海某某传动有限公司", "谐波减速器、RV减速器"))
    assert sure[0].code == "ST.PART.REDUCER" and sure[0].level is Level.LEAF
    assert "“谐波减速器”" in sure[0].evidence and sure[0].confidence > 0.5


def test_an_industry_code_alone_gives_its_segment_and_says_so(classifier):
    answer = classifier.classify(Description(name="上海某某有限公司", industry_code="3982"))
    assert answer[0].code == "ST.PART.PCB"
    assert any("3982 电子电路制造" in e for e in answer[0].evidence)
    assert classifier.classify(Description(name="上海某某有限公司", industry_code="1391")) == []


def test_an_industry_code_shifts_the_probabilities_its_way(classifier):
    text = Description(products="控制器")
    inside, given = classifier.probabilities([text])
    coded_inside, coded_given = classifier.probabilities([Description(products="控制器", industry_code="3914")])
    column = classifier.classes.index("ST.XC.IPC")
    assert coded_given[0, column] > given[0, column]
    assert coded_inside[0] > inside[0]
    outside_inside, _ = classifier.probabilities([Description(products="控制器", industry_code="1391")])
    assert outside_inside[0] < inside[0]


def test_quality_on_the_frozen_split_holds_its_floors(classifier, frozen):
    quality = evaluate(classifier, frozen, "frozen")
    print(quality.row())
    assert quality.direction_accuracy >= DIRECTION_FLOOR
    assert quality.segment_accuracy >= SEGMENT_FLOOR
    assert quality.outside_none >= OUTSIDE_NONE_FLOOR
    assert quality.calibration_error <= CALIBRATION_CEILING
    text_only = evaluate(classifier, without_codes(frozen), "text only")
    assert text_only.direction_accuracy >= DIRECTION_FLOOR - 0.02


def test_a_saved_model_is_loaded_not_refitted(tmp_path):
    first = load_or_fit("satellite_internet", tmp_path)
    saved = list(tmp_path.glob("satellite_internet-*.pickle"))
    assert [p.name for p in saved] == [f"satellite_internet-{model_key('satellite_internet')}.pickle"]
    stamp = saved[0].stat().st_mtime_ns
    again = load_or_fit("satellite_internet", tmp_path)
    assert saved[0].stat().st_mtime_ns == stamp and again.model_key == first.model_key
    text = Description(products="、".join(first.chain.leaves[0].keywords[:2]))
    assert [m.code for m in again.classify(text)] == [m.code for m in first.classify(text)]


def test_the_model_key_changes_with_what_the_model_learns_from(monkeypatch):
    before = model_key("smart_terminal")
    monkeypatch.setattr("chainmap.model_store.MODEL_VERSION", "test")
    assert model_key("smart_terminal") != before


def test_a_chain_without_labelled_data_still_classifies_from_its_own_words():
    classifier = classifier_for("satellite_internet")
    leaf = classifier.chain.leaves[0]
    matches = classifier.classify(Description(products="、".join(leaf.keywords[:2])))
    assert matches and matches[0].code in {leaf.code, *classifier.chain.ancestors(leaf.code)}
