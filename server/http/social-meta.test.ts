import { describe, expect, it } from "vitest";
import { decimalAmount, escapeHtml, scriptSafeJson } from "./social-meta.ts";

describe("social meta escaping", () => {
  it("escapes every character that could leave an attribute or open a tag", () => {
    expect(escapeHtml(`a & b < c > d " e ' f`)).toBe("a &#38; b &#60; c &#62; d &#34; e &#39; f");
  });

  it("keeps JSON inside a script element from closing it, and parseable", () => {
    const value = { name: "</script><!-- & \u2028 \u2029 >" };
    const text = scriptSafeJson(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it("writes minor units with the currency's own number of decimals", () => {
    expect(decimalAmount(2_550, "eur")).toBe("25.50");
    expect(decimalAmount(0, "usd")).toBe("0.00");
    expect(decimalAmount(1_500, "jpy")).toBe("1500");
    expect(decimalAmount(1_234, "kwd")).toBe("1.234");
  });
});
