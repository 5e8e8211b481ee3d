"""The compiled models repeat scikit-learn's arithmetic exactly."""

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from chainmap.compiled import CompiledLinear, CompiledTfidf

TEXTS = ["芯片 芯片 设计", "冰箱 空调", "芯片 封装 测试", "空调 冰箱 冰箱 洗衣机", "电路板 芯片", "面包 蛋糕"]


def _words(text: str) -> list[str]:
    return text.split()


def test_tfidf_transform_matches_scikit_learn_including_unseen_words():
    vectorizer = TfidfVectorizer(analyzer=_words, sublinear_tf=True, min_df=1).fit(TEXTS)
    compiled = CompiledTfidf.from_vectorizer(vectorizer)
    texts = [*TEXTS, "芯片 从未见过", "从未见过"]
    np.testing.assert_allclose(compiled.transform(texts).toarray(), vectorizer.transform(texts).toarray(), atol=1e-12)


def test_linear_decision_function_matches_for_binary_and_multiclass_models():
    features = TfidfVectorizer(analyzer=_words).fit_transform(TEXTS)
    for labels in ([1, 0, 1, 0, 1, 0], ["chip", "home", "chip", "home", "part", "none"]):
        model = LinearSVC().fit(features, labels)
        compiled = CompiledLinear.from_model(model)
        np.testing.assert_allclose(compiled.decision_function(features), model.decision_function(features), atol=1e-5)
        assert compiled.classes == [str(c) for c in model.classes_]
