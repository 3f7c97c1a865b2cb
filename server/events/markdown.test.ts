import { describe, expect, it } from "vitest";
import { renderDescription } from "./markdown.ts";

describe("event descriptions", () => {
  it("renders Markdown to HTML with headings under the page's own h1", () => {
    const html = renderDescription("# Title\n\nSome *text* and `code`.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |");
    expect(html).toContain("<h2>Title</h2>");
    expect(html).toContain("<em>text</em>");
    expect(html).toContain("<code>code</code>");
    expect(html).toContain("<li>one</li>");
    expect(html).toContain("<td>1</td>");
  });

  it("removes scripts, event handlers, frames, styles and dangerous links", () => {
    const html = renderDescription(
      '<script>alert(1)</script><img src=x onerror="alert(1)"><iframe src="https://evil.example"></iframe>' +
        '<p style="color:red" onclick="alert(1)">hi</p>\n\n[a](javascript:alert(1)) [b](data:text/html,<script>alert(1)</script>) [c](https://ok.example)',
    );
    expect(html).not.toMatch(/script|onerror|onclick|iframe|style=|javascript:|data:|<img/i);
    expect(html).toContain('<a href="https://ok.example" rel="noopener noreferrer nofollow" target="_blank">c</a>');
  });
});
