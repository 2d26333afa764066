"""The linkage benchmark's quick store (benchmarks/link_store.py: the exports mapped, what the linkage reads
bulk-loaded) holds, for the linkage, the same records as a store `policeonto load` filled, in the same
graphs; and its peer (benchmarks/link_splink.py, Splink alone) finds the pairs `policeonto link` finds."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from policeonto.cli import main
from policeonto.linkage import link
from policeonto.linkage.records import pull
from policeonto.store import EmbeddedStore
from tests.conftest import ROOT, script_module


def test_the_quick_store_gives_the_linkage_what_a_load_gives_it(tmp_path: Path) -> None:
    link_data = script_module(ROOT / "benchmarks" / "link_data.py")
    link_store = script_module(ROOT / "benchmarks" / "link_store.py")
    link_splink = script_module(ROOT / "benchmarks" / "link_splink.py")
    link_data.write(tmp_path / "people", 400, seed=3, share=0.25)
    quick = tmp_path / "quick"
    loaded = link_store.fill(tmp_path / "people", quick)
    exports = link_store.exports(tmp_path / "people")
    done = CliRunner().invoke(main, ["load", *map(str, exports), "--store", str(tmp_path / "full")])
    assert done.exit_code == 0, done.output
    with EmbeddedStore(quick, read_only=True) as store:
        fast = pull(store).sort_values("record", ignore_index=True)
        assert sorted(store.graphs()) == sorted(loaded)
    with EmbeddedStore(tmp_path / "full", read_only=True) as store:
        full = pull(store).sort_values("record", ignore_index=True)
        assert set(loaded) <= set(store.graphs())
    assert len(fast) == 400 and fast.equals(full)
    assert fast["postcode"].notna().all() and fast["pnc_id"].notna().any()  # homes and identifiers were read
    model = tmp_path / "person-model.json"
    with EmbeddedStore(quick) as store:
        found = link(store, model_path=model)
    link_splink.save(quick, tmp_path / "people.pkl")
    assert link_splink.predict(tmp_path / "people.pkl", model, retrain=False) == len(found.pairs) > 0
