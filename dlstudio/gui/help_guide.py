"""Help → Guide: what each step does and what the numbers mean, in a page a first-time user can
read in two minutes. Plain text kept here, beside nothing else, so it is easy to keep current."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

GUIDE_HTML = """
<h2>How dlstudio works</h2>
<p>Five steps, always listed on the left. A step that is not ready yet is greyed out and says
why. Every step can also be done from the command line (<code>dlstudio --help</code>).</p>

<h3>1. Data</h3>
<p>Open a table (CSV, Excel, Parquet, JSON), a folder with one subfolder of images or of .txt
files per class, or a time series, or drop it on the window. dlstudio reads it, guesses what
each column is (its <i>role</i>) and which column to predict (the <i>target</i>), and says why.
Double-click a role to change it. The <i>split</i> sets how many rows the model learns from
(train), how many pick its best moment (validation) and how many judge it at the end (test):
the test rows are never learnt from, so the final score is honest. Read the warnings: a column
that gives the answer away, or classes too small to learn, make a model look better than it
is.</p>

<h3>2. Model</h3>
<p>Either choose an architecture and its settings (each has a tooltip), or let dlstudio
<i>search</i>: it tries several settings within the time you give (45s, 10m, 1h30m) and keeps the
best. The time is a hard limit: when it runs out you still get the best model found so far. The
<i>objective</i> is the number the search tries to improve, measured on the validation rows.</p>

<h3>3. Train</h3>
<p>The curves show how the model learns, epoch by epoch (one epoch is one pass over the training
rows). The <i>loss</i> is what training makes smaller; lower is better. When the validation curve
turns up while the training curve keeps going down, the model is memorising the training rows
(<i>overfitting</i>): dlstudio keeps the weights of its best epoch and says so in words. Earlier
trials are drawn faintly underneath. Stop keeps what was learnt.</p>

<h3>4. Results</h3>
<p>The first sentence says how often the model is right on the test rows, beside two yardsticks:
a model that learned nothing (always the most common class, or the average value), and a
classical model (gradient boosting for tables, TF-IDF with logistic regression for texts)
trained on the same rows. A deep model that does not beat them is said not to have earned its
keep. <i>Accuracy</i> is the share of test rows predicted right; <i>balanced accuracy</i> averages
that share over classes, so a rare class counts as much as a common one; <i>MAE</i> is the
average size of a numeric prediction's error, in the target's own units. The tabs show the
mistakes, the decision threshold for two classes, and a place to try the model on your own
input.</p>

<h3>5. Export</h3>
<p>Saves the model in the formats it can use (Keras, SavedModel, ONNX, LiteRT). The
preprocessing is inside the exported model: it takes raw rows, images or texts and gives
predictions. Every file is loaded back and checked before it is listed, and the page shows the
code that uses it. You can also predict on a new file here.</p>

<h3>Projects</h3>
<p>Each dataset gets a project folder (under <code>~/dlstudio-projects</code>) that keeps the data
choices, every run and its models. File → Open project brings it all back.</p>
"""


class GuideDialog(QDialog):
    """A resizable, non-modal page of the guide above."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("dlstudio guide")
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(False)
        self.text.setHtml(GUIDE_HTML)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(640, 640)
