"""A reason quotes whole words of the need, never a word cut in the middle."""

from matching.reasons import shared_phrases


def test_a_phrase_is_never_cut_inside_a_word():
    assert shared_phrases("智能手表 智能门锁", "主营智能手机与平板电脑") == []  # not “智能手”
    assert shared_phrases("激光雷达传感器", "主营激光雷达模组") == ["激光雷达"]


def test_whole_words_across_scripts_are_kept():
    assert shared_phrases("车规级MCU芯片，用于座舱", "主营32位MCU芯片与车规级控制器") == ["MCU芯片", "车规级"]
