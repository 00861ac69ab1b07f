"""The book's table of units: one place for numbers, slugs, titles and courses.

`_toc.yml` and the course map on the landing page are generated from this table
(`python -m dlbook.toc`); a unit's chapter, exercise, solution and grader module are all
named after its stem ``NN-slug``.
"""
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COURSES = {
    1: "Course 1 · Neural Networks and Deep Learning",
    2: "Course 2 · Improving Deep Neural Networks",
    3: "Course 3 · Structuring Machine Learning Projects",
    4: "Course 4 · Convolutional Neural Networks",
    5: "Course 5 · Sequence Models",
}


@dataclass(frozen=True)
class Unit:
    number: str      # "01" .. "51", or "21b"
    slug: str
    title: str
    course: int

    @property
    def stem(self):
        return f"{self.number}-{self.slug}"

    @property
    def module(self):
        """Name of the unit's grader module in grader/units/."""
        return "u" + self.number

    def path(self, kind):
        """kind: 'chapter' | 'exercise' | 'solution' | 'grader'."""
        return {
            "chapter": ROOT / "book" / f"{self.stem}.md",
            "exercise": ROOT / "exercises" / f"{self.stem}.ipynb",
            "solution": ROOT / "solutions" / f"{self.stem}.ipynb",
            "grader": ROOT / "grader" / "units" / f"{self.module}_{self.slug.replace('-', '_')}.py",
        }[kind]

    def status(self):
        """'complete' when chapter, exercise, solution and grader module all exist."""
        have = [self.path(k).exists() for k in ("chapter", "exercise", "solution", "grader")]
        return "complete" if all(have) else ("in progress" if any(have) else "planned")


_TABLE = """
01 logistic-regression        Logistic Regression as a Neural Network                         1
02 cross-entropy-cost         Binary Classification and the Cross-Entropy Cost                 1
03 gradient-descent           Gradient Descent                                                 1
04 vectorization              Vectorization                                                    1
05 broadcasting               Broadcasting in NumPy                                            1
06 shallow-networks           Shallow Neural Networks                                          1
07 activation-functions       Activation Functions                                             1
08 backpropagation            Backpropagation for a One-Hidden-Layer Network                   1
09 deep-networks              Deep (L-layer) Neural Networks                                   1
10 initialization             Matrix Dimensions and Weight Initialization                      1
11 train-dev-test             Train / Dev / Test Sets                                          2
12 bias-variance              Diagnosing Bias and Variance                                     2
13 regularization             L2 Regularization, Weight Decay and Gradient Checking            2
14 dropout                    Dropout (Inverted Dropout)                                       2
15 augmentation-early-stopping Data Augmentation and Early Stopping                            2
16 mini-batch                 Mini-Batch Gradient Descent                                      2
17 momentum-rmsprop           Exponentially Weighted Averages, Momentum and RMSprop            2
18 adam                       Adam                                                             2
19 lr-decay                   Learning-Rate Decay                                              2
20 hyperparameter-tuning      Hyperparameter Tuning                                            2
21 batch-norm                 Batch Normalization                                              2
21b softmax-pytorch           Softmax Regression, the Optimization Landscape, and PyTorch      2
22 orthogonalization          Orthogonalization and the Chain of Assumptions                   3
23 precision-recall           Precision, Recall and the F1 Score                               3
24 satisficing-metrics        Satisficing and Optimizing Metrics                               3
25 error-analysis             Error Analysis and Mislabeled Data                               3
26 data-mismatch              Mismatched Train/Dev Distributions and the Train-Dev Set         3
27 transfer-multitask         Transfer Learning and Multi-task Learning                        3
28 end-to-end                 End-to-End Deep Learning                                         3
29 convolution                Convolutions: Padding, Stride and Volumes                        4
30 pooling                    Pooling Layers                                                   4
31 classic-cnns               Classic Networks: LeNet-5, AlexNet, VGG-16                       4
32 resnets                    Residual Networks (ResNets)                                      4
33 inception                  1×1 Convolutions and the Inception Network                       4
34 localization               Object Localization and Convolutional Sliding Windows            4
35 yolo                       YOLO: Grid Predictions, IoU, Non-max Suppression, Anchor Boxes   4
36 siamese-triplet            Siamese Networks and the Triplet Loss                            4
37 face-recognition           One-Shot Learning: Face Verification and Recognition             4
38 style-transfer             Neural Style Transfer                                            4
39 rnn                        Recurrent Neural Networks and Backpropagation Through Time       5
40 rnn-architectures          RNN Architectures                                                5
41 gru                        Gated Recurrent Unit (GRU)                                       5
42 lstm                       Long Short-Term Memory (LSTM)                                    5
43 word-embeddings            Word Embeddings                                                  5
44 word2vec-glove             Learning Embeddings: Word2Vec and GloVe                          5
45 embedding-bias             Bias in Word Embeddings and Debiasing                            5
46 seq2seq                    Sequence-to-Sequence Models                                      5
47 beam-search                Beam Search                                                      5
48 bleu                       BLEU Score                                                       5
49 attention                  The Attention Mechanism                                          5
50 self-attention             Self-Attention, Multi-Head Attention and the Transformer Idea    5
51 transformer                The Transformer Architecture, and BERT vs GPT                    5
"""


def _parse(table):
    units = []
    for line in table.strip().splitlines():
        number, slug, rest = line.split(None, 2)
        title, course = rest.rsplit(None, 1)
        units.append(Unit(number, slug, title.strip(), int(course)))
    return units


UNITS = _parse(_TABLE)
BY_NUMBER = {u.number: u for u in UNITS}


def unit(number):
    """Look a unit up by its number: unit("1"), unit("01") and unit("21b") all work."""
    key = str(number).zfill(2) if str(number).isdigit() else str(number)
    try:
        return BY_NUMBER[key]
    except KeyError:
        raise KeyError(f"no unit {number!r}; units are 01..51 and 21b") from None
