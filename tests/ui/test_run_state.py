"""The run board folds engine events into what each drawn node shows."""

from nodeeditor.engine.events import NodeCompleted, NodeFailed, NodeProgress, NodeStarted
from nodeeditor.ui.run_state import RunBoard


def completed(node_id: str, seconds: float, cached: bool = False, rss: int = 0) -> NodeCompleted:
    return NodeCompleted(session_id="s", node_id=node_id, instance_id=node_id, node_type="t",
                         duration_s=seconds, cached=cached, peak_rss=rss)


def test_badges_follow_a_node_from_queued_to_done():
    board = RunBoard()
    board.begin(["a"])
    assert board.nodes["a"].badge() == ("queued", "queued", None)
    board.apply(NodeStarted(session_id="s", node_id="a", instance_id="a", node_type="t"))
    board.apply(NodeProgress(session_id="s", node_id="a", instance_id="a", fraction=0.5, message="half"))
    assert board.nodes["a"].badge() == ("running", "half", 0.5)
    board.apply(completed("a", 0.25))
    assert board.nodes["a"].badge() == ("done", "250 ms", None)


def test_copies_add_up_and_a_node_that_only_passes_values_says_done():
    board = RunBoard()
    board.begin(["a", "it"])
    for _ in range(3):
        board.apply(completed("a", 1.5))
    board.apply(completed("it", 0.0))
    assert board.nodes["a"].badge() == ("done", "4.50 s", None)
    assert board.nodes["it"].badge() == ("done", "done", None)


def test_cached_failed_and_events_of_other_nodes():
    board = RunBoard()
    board.begin(["a", "b"])
    board.apply(completed("a", 0.0, cached=True))
    board.apply(NodeFailed(session_id="s", node_id="b", instance_id="b", node_type="t", error="boom",
                           traceback="Traceback ..."))
    assert board.nodes["a"].badge()[0] == "cached"
    assert board.nodes["b"].badge()[0] == "failed" and board.nodes["b"].traceback == "Traceback ..."
    assert board.apply(completed("elsewhere", 1.0)) is None


def test_heat_is_each_node_share_of_time_or_of_the_largest_peak_memory():
    board = RunBoard()
    board.begin(["a", "b", "c"])
    board.apply(completed("a", 3.0, rss=100))
    board.apply(completed("b", 1.0, rss=400))
    assert board.heat("time") == {"a": 0.75, "b": 0.25}
    assert board.heat("memory") == {"a": 0.25, "b": 1.0}
