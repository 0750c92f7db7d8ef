"""The model cache: one load per identity, least recently used out when a budget is exceeded."""

from __future__ import annotations

from nodeeditor.engine.model_cache import ModelCache, ModelSettings

MB = 1024 * 1024


def loader(log: list[str], name: str, size: int, device: str = "cpu"):
    def load():
        log.append(name)
        return f"model {name}", size, device
    return load


def test_a_model_is_loaded_once_and_then_served_from_the_cache():
    log: list[str] = []
    cache = ModelCache(ModelSettings(ram_budget=100 * MB))
    assert cache.get("a", loader(log, "a", MB)) == "model a"
    assert cache.get("a", loader(log, "a", MB)) == "model a"
    assert log == ["a"]
    assert (cache.figures.loads, cache.figures.hits) == (1, 1)


def test_the_least_recently_used_model_leaves_when_the_ram_budget_is_exceeded():
    log: list[str] = []
    evicted: list[str] = []
    cache = ModelCache(ModelSettings(ram_budget=25 * MB), on_evict=evicted.append)
    cache.get("a", loader(log, "a", 10 * MB))
    cache.get("b", loader(log, "b", 10 * MB))
    cache.get("a", loader(log, "a", 10 * MB))  # a is now the most recent
    cache.get("c", loader(log, "c", 10 * MB))
    assert evicted == ["model b"]
    assert "a" in cache and "c" in cache and "b" not in cache
    assert cache.figures.ram_bytes == 20 * MB


def test_gpu_models_count_against_the_vram_budget_only():
    log: list[str] = []
    cache = ModelCache(ModelSettings(ram_budget=15 * MB, vram_budget=15 * MB))
    cache.get("cpu", loader(log, "cpu", 10 * MB))
    cache.get("gpu1", loader(log, "gpu1", 10 * MB, "cuda"))
    cache.get("gpu2", loader(log, "gpu2", 10 * MB, "cuda"))
    assert "cpu" in cache and "gpu2" in cache and "gpu1" not in cache


def test_a_model_larger_than_the_budget_still_runs_alone():
    log: list[str] = []
    cache = ModelCache(ModelSettings(ram_budget=5 * MB))
    cache.get("a", loader(log, "a", 4 * MB))
    assert cache.get("big", loader(log, "big", 50 * MB)) == "model big"
    assert "big" in cache and "a" not in cache


def test_budgets_and_the_default_model_come_from_the_settings_file(tmp_path, monkeypatch):
    monkeypatch.delenv("NODEEDITOR_MODEL", raising=False)
    (tmp_path / "settings.ini").write_text("[models]\ndefault_model = /models/sd15.safetensors\n"
                                           "ram_budget_gb = 2\nvram_budget_gb = 1.5\n")
    settings = ModelSettings.read(tmp_path)
    assert settings.default_model == "/models/sd15.safetensors"
    assert (settings.ram_budget, settings.vram_budget) == (2 * 1024 ** 3, int(1.5 * 1024 ** 3))
    monkeypatch.setenv("NODEEDITOR_MODEL", "/elsewhere")
    assert ModelSettings.read(tmp_path).default_model == "/elsewhere"


def test_unreadable_settings_fall_back_to_the_defaults(tmp_path):
    (tmp_path / "settings.ini").write_text("[models]\nram_budget_gb = lots\n[[[")
    assert ModelSettings.read(tmp_path).ram_budget > 0


def test_the_shared_cache_rereads_its_settings_only_when_they_change(tmp_path, monkeypatch, models):
    from nodeeditor.engine import model_cache

    monkeypatch.delenv("NODEEDITOR_MODEL", raising=False)
    settings = tmp_path / "settings.ini"
    settings.write_text("[models]\ndefault_model = /a.safetensors\n")
    assert model_cache.shared(tmp_path).settings.default_model == "/a.safetensors"
    read = model_cache.shared(tmp_path).settings
    assert model_cache.shared(tmp_path).settings is read  # unchanged file: not read again
    settings.write_text("[models]\ndefault_model = /models/b.safetensors\n")
    assert model_cache.shared(tmp_path).settings.default_model == "/models/b.safetensors"
    monkeypatch.setenv("NODEEDITOR_MODEL", "/c.ckpt")
    assert model_cache.shared(tmp_path).settings.default_model == "/c.ckpt"
    monkeypatch.delenv("NODEEDITOR_MODEL")
    settings.unlink()
    assert model_cache.shared(tmp_path).settings.default_model == ""


def test_a_session_counts_each_model_once_as_a_load_or_a_hit():
    log: list[str] = []
    cache = ModelCache(ModelSettings(ram_budget=100 * MB))
    cache.begin_session()
    assert cache.session_models() is None
    for _node in range(3):
        cache.get("a", loader(log, "a", MB))
    first = cache.session_models()
    assert (first.loads, first.hits) == (1, 0) and first.load_s > 0
    cache.begin_session()
    cache.get("a", loader(log, "a", MB))
    cache.get("b", loader(log, "b", MB))
    cache.get("a", loader(log, "a", MB))
    second = cache.session_models()
    assert (second.loads, second.hits) == (1, 1) and log == ["a", "b"]
