use super::*;

fn html(source: &str, markup: Markup) -> String {
    render(source, markup).html
}

#[test]
fn scripts_and_event_handlers_are_removed_from_html() {
    let out = html(
        r#"<p onclick="alert(1)">Hi<script>alert(2)</script><img src="x.png" onerror="alert(3)"></p>"#,
        Markup::Html,
    );
    assert!(!out.contains("script") && !out.contains("alert"), "{out}");
    assert!(out.contains("<p>Hi") && out.contains(r#"<img src="x.png">"#), "{out}");
}

#[test]
fn javascript_and_data_urls_lose_their_address() {
    let out = html(
        r#"<a href="javascript:alert(1)">a</a><a href="JaVaScRiPt&#58;alert(1)">b</a><img src="data:image/svg+xml;base64,PHN2Zz4="><a href="https://example.com/x">c</a>"#,
        Markup::Html,
    );
    assert!(
        !out.to_lowercase().contains("javascript") && !out.contains("data:"),
        "{out}"
    );
    assert!(out.contains(r#"href="https://example.com/x""#), "{out}");
}

#[test]
fn svg_with_a_script_and_css_expressions_are_harmless() {
    let out = html(
        r#"<svg onload="alert(1)"><script>alert(2)</script></svg><div style="width: expression(alert(3))">x</div><style>body{background:url(javascript:alert(4))}</style>"#,
        Markup::Html,
    );
    assert!(
        !out.contains("alert") && !out.contains("svg") && !out.contains("style"),
        "{out}"
    );
}

#[test]
fn markdown_is_rendered_and_its_raw_html_sanitised() {
    let out = html(
        "A **bold** claim.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<img src=x onerror=alert(1)>",
        Markup::Markdown,
    );
    assert!(out.contains("<strong>bold</strong>"), "{out}");
    assert!(out.contains("<table>") && out.contains("<td>1</td>"), "{out}");
    assert!(!out.contains("onerror"), "{out}");
}

#[test]
fn plain_text_shows_markup_as_itself_and_keeps_line_breaks() {
    let rich = render("Is 3 < 4 & <b>so</b>?\nYes.", Markup::Plain);
    assert_eq!(rich.html, "Is 3 &lt; 4 &amp; &lt;b&gt;so&lt;/b&gt;?<br>Yes.");
    assert_eq!(rich.text, "Is 3 < 4 & <b>so</b>?\nYes.");
}

#[test]
fn tex_between_each_delimiter_becomes_mathml() {
    for (source, display) in [(r"\(x^2\)", false), (r"\[\frac{a}{b}\]", true), (r"$$\sqrt{2}$$", true)] {
        for markup in [Markup::Plain, Markup::Html, Markup::Markdown] {
            let out = html(&format!("Find {source} now"), markup);
            assert!(out.contains("<math"), "{markup:?} {source}: {out}");
            assert_eq!(out.contains(r#"display="block""#), display, "{out}");
            assert!(!out.contains(r"\("), "{out}");
        }
    }
    let out = html(r"\(\frac{1}{2} + x^2 \le \sqrt{y}\)", Markup::Plain);
    for element in ["<mfrac>", "<msup>", "<msqrt>", "<mn>1</mn>", "<mi>x</mi>", "≤"] {
        assert!(out.contains(element), "{element} in {out}");
    }
}

#[test]
fn the_plain_text_form_keeps_tex_as_written_and_tables_as_rows() {
    let rich = render(
        "<p>Area \\(\\pi r^2\\)</p><table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2 &amp; 3</td></tr></table>",
        Markup::Html,
    );
    assert_eq!(rich.text, "Area \\(\\pi r^2\\)\na\tb\n1\t2 & 3");
}

#[test]
fn tex_cannot_smuggle_markup_into_the_page() {
    let out = html(r"\(\text{<script>alert(1)</script>}\)", Markup::Plain);
    assert!(!out.contains("<script"), "{out}");
    let out = html(r"\(x\) <img src=x onerror=alert(1)>", Markup::Html);
    assert!(!out.contains("onerror"), "{out}");
}

#[test]
fn an_unclosed_delimiter_is_text() {
    assert_eq!(render(r"Costs \( 5", Markup::Plain).html, r"Costs \( 5");
}

#[test]
fn a_lone_paragraph_loses_its_tags_inline() {
    assert_eq!(render_inline("*a*", Markup::Markdown).html, "<em>a</em>");
    assert_eq!(render_inline("a\n\nb", Markup::Markdown).html, "<p>a</p>\n<p>b</p>\n");
}

#[test]
fn moodle_auto_format_keeps_line_breaks_and_html() {
    assert_eq!(html("a\n<b>b</b>", Markup::HtmlWithBreaks), "a<br><b>b</b>");
}
