"""Real inspect-ai eval logs, written offline: a deterministic local model provider.

inspect's ``mockllm`` counts tokens with tiktoken, which downloads its encoding; this provider
answers by a fixed rule and counts tokens itself, so ``inspect_ai.eval`` never needs the
network. A model answers a sample right when the sample's difficulty is below its skill:
``SKILL[model] + checkpoint / 1000 (+ HINT_BONUS with the hint)``.
"""

from __future__ import annotations

from pathlib import Path

SKILL = {"small": 0.3, "large": 0.6}
HINT_BONUS = 0.2
EPOCHS = (100, 200, 300)
ADDITION = [(a, b) for a in range(5) for b in range(4)]  # 20 samples
DOUBLING = list(range(10))  # 10 samples


def addition_difficulty(a: int, b: int) -> float:
    return ((a * 7 + b * 3) % 10) / 10


def doubling_difficulty(a: int) -> float:
    return ((a * 3) % 10) / 10 + 0.05


def skill(model: str, checkpoint: int, hint: bool) -> float:
    return SKILL[model] + checkpoint / 1000 + (HINT_BONUS if hint else 0.0)


def expected_accuracy(task: str, model: str, checkpoint: int, hint: bool = False) -> float:
    """The accuracy the provider's rule gives (what the logs must say)."""
    s = skill(model, checkpoint, hint)
    if task == "addition":
        return sum(addition_difficulty(a, b) < s for a, b in ADDITION) / len(ADDITION)
    return sum(doubling_difficulty(a) < s for a in DOUBLING) / len(DOUBLING)


def _tasks():
    """Registers the offline provider; the ``addition`` and ``doubling`` task functions."""
    from inspect_ai import Task, task
    from inspect_ai.dataset import Sample
    from inspect_ai.model import GenerateConfig, ModelAPI, ModelOutput, modelapi
    from inspect_ai.scorer import (
        CORRECT,
        INCORRECT,
        Score,
        accuracy,
        includes,
        match,
        metric,
        scorer,
        stderr,
    )
    from inspect_ai.solver import generate

    @modelapi(name="offline")
    def offline():
        class Offline(ModelAPI):
            def __init__(self, model_name, base_url=None, api_key=None,
                         config=None, **model_args):
                super().__init__(model_name, base_url, api_key, [], config or GenerateConfig())
                self.checkpoint = int(model_args.get("checkpoint", 0))

            async def generate(self, input, tools, tool_choice, config):
                text = input[-1].text
                hint = text.startswith("Hint")
                a, b = (int(t) for t in text.split("What is ")[1].rstrip("?").split(" plus "))
                hard = (doubling_difficulty(a) if "double" in text
                        else addition_difficulty(a, b))
                right = hard < skill(self.model_name, self.checkpoint, hint)
                answer = a + b if right else a + b + 1
                return ModelOutput.from_content(model=self.model_name,
                                                content=f"ANSWER: {answer}")

            async def count_text_tokens(self, text):
                return len(text.split())

            async def count_tokens(self, input, config=None):
                return 10

        return Offline

    @metric
    def confidence_auc():
        def compute(scores):
            values = [getattr(s, "score", s).as_float() for s in scores]
            return 0.5 + 0.5 * sum(values) / len(values)

        return compute

    @scorer(metrics=[accuracy(), stderr(), confidence_auc()])
    def risk_scorer():
        async def score(state, target):
            right = target.text in state.output.completion
            return Score(value=CORRECT if right else INCORRECT)

        return score

    @task
    def addition(hint: bool = False):
        prefix = "Hint: add the numbers. " if hint else ""
        samples = [Sample(input=f"{prefix}What is {a} plus {b}?", target=str(a + b))
                   for a, b in ADDITION]
        return Task(dataset=samples, solver=generate(), metadata={"hint": hint},
                    scorer=[match(location="end"), includes()])

    @task
    def doubling():
        samples = [Sample(input=f"To double: What is {a} plus {a}?", target=str(2 * a))
                   for a in DOUBLING]
        return Task(dataset=samples, solver=generate(), scorer=[match(location="end"),
                                                                risk_scorer()])

    return addition, doubling


def write_logs(log_dir: Path) -> Path:
    """Two tasks (addition with/without a hint, doubling) × two models × three checkpoints,
    two scorers each; 18 logs in ``log_dir``."""
    from inspect_ai import eval as inspect_eval

    addition, doubling = _tasks()
    for epoch in EPOCHS:
        logs = inspect_eval([addition(hint=False), addition(hint=True), doubling()],
                            model=["offline/small", "offline/large"],
                            model_args={"checkpoint": epoch},
                            metadata={"checkpoint_epoch": epoch}, log_dir=str(log_dir),
                            display="none", log_format="eval")
        assert all(log.status == "success" for log in logs), [log.error for log in logs]
    return log_dir


def write_repeated_logs(log_dir: Path, epochs: int = 2, limit_large: int = 8) -> Path:
    """``doubling`` at checkpoint 100 with inspect ``epochs`` repeats: ``offline/small`` on
    all 10 samples, ``offline/large`` on the first ``limit_large`` (the rest are unmatched);
    2 logs in ``log_dir``."""
    from inspect_ai import eval as inspect_eval

    _, doubling = _tasks()
    for model, limit in (("offline/small", None), ("offline/large", limit_large)):
        logs = inspect_eval(doubling(), model=model, model_args={"checkpoint": 100},
                            metadata={"checkpoint_epoch": 100}, epochs=epochs, limit=limit,
                            log_dir=str(log_dir), display="none", log_format="eval")
        assert all(log.status == "success" for log in logs), [log.error for log in logs]
    return log_dir
