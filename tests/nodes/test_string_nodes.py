"""String nodes: join, split, lines, replace (plain and regex), templates, concatenate, length, case."""

from nodeeditor.core.registry import default_registry
from nodeeditor.engine.runner import run_workflow
from workflow_builder import build, invoke, refused


def test_join_puts_the_separator_between_items():
    assert invoke("join", collection=["a", "b", "c"], separator=" + ").value == "a + b + c"
    assert invoke("join", collection=[]).value == ""


def test_split_trims_parts_by_default():
    assert invoke("split", text="a, b ,c,", separator=",").collection == ["a", "b", "c", ""]


def test_split_can_skip_empty_parts_and_keep_spaces():
    assert invoke("split", text=" a,,b ", separator=",", strip=False, skip_empty=True).collection == [" a", "b "]


def test_split_with_an_empty_separator_cuts_at_whitespace():
    assert invoke("split", text="  one two\tthree\n", separator="").collection == ["one", "two", "three"]


def test_lines_to_collection_skips_blank_lines_and_trims():
    assert invoke("lines_to_collection", text="cat\r\n  dog \n\nbird").collection == ["cat", "dog", "bird"]


def test_plain_replace_takes_the_pattern_literally():
    assert invoke("replace", text="1+1=2 (1+1)", pattern="1+1", replacement="two").value == "two=2 (two)"
    assert invoke("replace", text="a.b", pattern=".", replacement="\\1").value == "a\\1b"


def test_replace_can_limit_the_count_and_ignore_case():
    assert invoke("replace", text="Aaa", pattern="a", replacement="x", ignore_case=True, count=2).value == "xxa"


def test_regex_replace_uses_groups():
    out = invoke("replace", text="2024-05-17", pattern=r"(\d+)-(\d+)-(\d+)", replacement=r"\3/\2/\1", regex=True)
    assert out.value == "17/05/2024"


def test_a_bad_regex_is_refused_naming_the_pattern():
    assert refused("replace", "pattern", text="x", pattern="(unclosed", regex=True).startswith(
        "not a valid regular expression: missing ), unterminated subpattern")


def test_a_replacement_naming_a_missing_group_is_refused():
    assert "invalid group reference 2" in refused("replace", "replacement", text="ab", pattern="(a)",
                                                   replacement=r"\2", regex=True)


def test_template_fills_named_fields_from_key_value_lines():
    out = invoke("template", template="a {subject} in {style} style", values="subject = cat\nstyle=ukiyo-e\n\n")
    assert out.value == "a cat in ukiyo-e style"


def test_template_takes_a_string_collection_and_slot_inputs():
    out = invoke("template", template="{a}/{b}: {x}", values=["x=1", "a=ignored"], a="A", b="B")
    assert out.value == "A/B: 1"


def test_template_keeps_equals_signs_in_values_and_later_keys_win():
    assert invoke("template", template="{q}", values=["q=1", "q=a=b"]).value == "a=b"


def test_template_braces_escape_and_stray_braces_stay():
    assert invoke("template", template="{{literal}} {a} } {not a field}", a="x").value == "{literal} x } {not a field}"


def test_template_names_every_placeholder_without_a_value():
    assert refused("template", "template", template="{b} {a} {c}", values="a=1") == \
        "no value for {b}, {c} (values given: a)"


def test_template_refuses_a_line_that_is_not_key_value():
    assert refused("template", "values", template="{a}", values="a=1\njust text") == \
        "line 2 'just text' is not key=value"


def test_template_values_accept_a_single_string_or_a_collection():
    values = default_registry().get("template").inputs["values"]
    assert str(values.type) == "string | list[string]"


def test_concatenate_length_and_case():
    assert invoke("concatenate", a="node", b="editor").value == "nodeeditor"
    assert invoke("string_length", text="héllo").value == 5
    assert [invoke("string_case", text="hello wORLD", case=c).value for c in ("upper", "lower", "title", "capitalize")] \
        == ["HELLO WORLD", "hello world", "Hello World", "Hello world"]


def test_a_number_linked_into_a_string_input_becomes_text():
    workflow = build({"n": ("integer", {"value": 42}), "f": ("float", {"value": 0.5}), "cat": "concatenate"},
                     ["n.value -> cat.a", "f.value -> cat.b"])
    result = run_workflow(workflow, default_registry(), artifacts=None)
    assert result.outputs["cat"][()]["value"] == "420.5"


def test_template_fills_a_slot_per_iteration():
    workflow = build({"s": ("string_collection", {"collection": ["cat", "owl"]}), "it": "iterate",
                      "t": ("template", {"template": "a photo of {a}, {style}", "values": "style=watercolor"}),
                      "c": "collect"},
                     ["s.collection -> it.collection", "it.item -> t.a", "t.value -> c.item"])
    result = run_workflow(workflow, default_registry(), artifacts=None)
    assert result.outputs["c"][()]["collection"] == ["a photo of cat, watercolor", "a photo of owl, watercolor"]


def test_an_integer_collection_joins_as_text():
    workflow = build({"r": ("range", {"stop": 4}), "j": ("join", {"separator": "-"})}, ["r.collection -> j.collection"])
    result = run_workflow(workflow, default_registry(), artifacts=None)
    assert result.outputs["j"][()]["value"] == "0-1-2-3"
