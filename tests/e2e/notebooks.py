"""Cells of the notebooks the browser tests run (written with kernelspec metadata)."""

SETUP = '''\
import json
import numpy as np
import plotly.graph_objects as go
from vizwidget import ExportWidget

def scatter(data, epoch):
    rng = np.random.default_rng(epoch)
    y = rng.normal(size=12) + epoch / 500
    return go.Figure(go.Scatter(x=np.arange(12), y=y, mode="markers", marker={"size": 18},
                                customdata=[f"p{i}" for i in range(12)]),
                     layout={"title": {"text": f"epoch {epoch}"}})

clicks = []
w = ExportWidget(scatter, epochs=[0, 100, 200, 500, 1000, 2000], name="e2e",
                 output_dir="exports", width=400, height=300, scale=1, fps=5)
w.on_click(clicks.append)
w'''

STATE = '''\
print("STATE" + json.dumps({"epoch": w.epoch, "clicks": clicks, "last": w.last_file,
                            "sends": ExportWidget.plotly_js_sends, "error": w.error}))'''

SIDEBAR = 'sc = w.show_in_sidebar(title="vizwidget e2e")'

FLAKY = '''\
def flaky(data, epoch):
    if epoch == 2:
        raise ValueError("renderer exploded")
    return go.Figure(go.Bar(y=[epoch, 1, 2]))

bad = ExportWidget(flaky, epochs=[1, 2, 3])
bad'''

WAVES = '''\
xs = np.linspace(0, 1, 3000)

def waves(data, epoch):
    z = np.arange(12, dtype=np.int32).reshape(3, 4) * (epoch + 1)
    return go.Figure([go.Scattergl(x=xs, y=np.sin(xs * 10 + epoch) / 3, mode="markers"),
                      go.Heatmap(z=z, xaxis="x2", yaxis="y2")],
                     layout={"xaxis": {"domain": [0, 0.45]}, "xaxis2": {"domain": [0.55, 1]},
                             "yaxis2": {"anchor": "x2"}, "title": {"text": f"waves {epoch}"}})

waves_w = ExportWidget(waves, epochs=[0, 1, 2, 3, 4], prefetch=False)
waves_w'''

WAVES_DATA = '''\
figs = {e: waves_w.figure(e) for e in (0, 1)}
print("WAVES" + json.dumps({e: {"x": f.data[0].x.tolist(), "y": f.data[0].y.tolist(),
                                "z": f.data[1].z.tolist()} for e, f in figs.items()}))'''

PREFETCH_ON = "waves_w.prefetch = True"

MANY = '''\
import numpy as np
import plotly.graph_objects as go
from IPython.display import display
from vizwidget import ExportWidget

x = np.linspace(0, 1, 10_000)

def big(data, epoch):
    return go.Figure(go.Scattergl(x=x, y=np.sin(x * (epoch + 1)), mode="markers"))

widgets = [ExportWidget(big, epochs=list(range(0, 1000, 100)), name=f"w{i}") for i in range(10)]
for widget in widgets:
    display(widget)'''

MANY_STATE = 'print("SENDS", ExportWidget.plotly_js_sends)'

LOD = '''\
big_x = np.linspace(0, 100, 300_000)
big_y = np.sin(big_x) + np.random.default_rng(0).normal(0, 0.1, big_x.size)
lod_w = ExportWidget(go.Figure(go.Scattergl(x=big_x, y=big_y, mode="lines")),
                     preview_height=300, lod_points=5_000)
lod_w'''

MANY_RUNS = '''\
from pathlib import Path
from vizwidget.compare._many import MANY_RUNS
for i in range(MANY_RUNS + 10):
    run = Path("many_runs") / f"run_{i:03d}"
    run.mkdir(parents=True, exist_ok=True)
    e = np.arange(30)
    decay = 1 / (1 + e * (i + 1) / 50)
    (run / "metrics.json").write_text(json.dumps({
        "epoch": e.tolist(), "train_loss": decay.tolist(), "test_acc": (1 - decay).tolist()}))
runs_w = ExportWidget.from_comparison("many_runs/run_*", "training_curves",
                                      preview_height=400)
runs_w'''
