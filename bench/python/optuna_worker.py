"""Optuna side of `npm run bench:optimizers`: one JSON request per stdin line, one JSON reply per stdout line.

Requests:
  {"id": 1, "cmd": "evaluate", "function": "levy", "dim": 27, "points": [[...], ...]}
      -> {"id": 1, "values": [...]}                      (the cross-check against the TypeScript suite)
  {"id": 2, "cmd": "optimize", "optimizer": "tpe" | "cmaes" | "random", "function": "levy", "dim": 27,
   "seed": 3, "budgets": [100, 200], "noise_sd": 0}
      -> {"id": 2, "best": [v100, v200], "seconds": 1.2, "cpu_seconds": 1.1}
  {"id": 3, "cmd": "versions"} -> {"id": 3, "python": "3.11.2", "optuna": "3.1.0", "cmaes": "0.9.1"}
"best" is the noise-free value of the best observed trial within each budget, as on the TypeScript side.
Errors reply {"id": ..., "error": "..."}.
"""
import json
import random
import sys
import time
import warnings

from functions import make_function

SAMPLERS = ("tpe", "cmaes", "random")


def make_sampler(optuna, kind, seed):
    if kind == "tpe":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    if kind == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed)
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise ValueError(f"unknown sampler {kind!r}; known: {', '.join(SAMPLERS)}")


def optimize(request):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    dim = request["dim"]
    clean = make_function(request["function"], dim)
    noise_sd = request.get("noise_sd", 0)
    noise = random.Random(f"noise:{request['seed']}")
    names = [f"x{i}" for i in range(dim)]
    true_values = []

    def objective(trial):
        x = [trial.suggest_float(n, 0.0, 1.0) for n in names]
        value = clean(x)
        true_values.append(value)
        return value + noise_sd * noise.gauss(0.0, 1.0) if noise_sd > 0 else value

    sampler = make_sampler(optuna, request["optimizer"], request["seed"])
    study = optuna.create_study(direction="maximize", sampler=sampler)
    budgets = request["budgets"]
    start = time.perf_counter()
    cpu_start = time.process_time()
    study.optimize(objective, n_trials=max(budgets))
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    observed = [t.value for t in study.trials]
    best = []
    for b in budgets:
        i = max(range(b), key=lambda k: observed[k])
        best.append(true_values[i])
    return {"best": best, "seconds": seconds, "cpu_seconds": cpu_seconds}


def evaluate(request):
    fn = make_function(request["function"], request["dim"])
    return {"values": [fn(x) for x in request["points"]]}


def versions(_request):
    import platform

    import cmaes
    import optuna

    return {"python": platform.python_version(), "optuna": optuna.__version__, "cmaes": cmaes.__version__}


COMMANDS = {"evaluate": evaluate, "optimize": optimize, "versions": versions}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            reply = COMMANDS[request["cmd"]](request)
        except Exception as error:  # reported to the harness, which records the failed job
            reply = {"error": f"{type(error).__name__}: {error}"}
        reply["id"] = request["id"]
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
