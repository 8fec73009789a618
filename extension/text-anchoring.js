// From the page's visible text to blocks of text, and from offsets or quotes in that text
// back to DOM Ranges. Offsets are JavaScript string indices (UTF-16 code units), the unit
// the server answers in.
//
// A block is the text of one block-level element (a paragraph, a list item, a table
// cell) with a table of pieces: each piece is a run of the block's text and the text
// node it came from (or no node, for the line break a <br> stands for).

globalThis.healthflagsAnchoring ??= (() => {
  // Never read: code, form fields (a reader's own words), embedded documents.
  const SKIP_TAGS = new Set([
    "SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "HEAD", "TITLE", "META", "LINK",
    "FORM", "INPUT", "TEXTAREA", "SELECT", "OPTION", "OPTGROUP", "BUTTON", "DATALIST",
    "IFRAME", "FRAME", "OBJECT", "EMBED", "CANVAS", "SVG", "MATH", "VIDEO", "AUDIO",
  ]);
  const INLINE_TAGS = new Set([
    "A", "ABBR", "B", "BDI", "BDO", "BR", "CITE", "CODE", "DATA", "DEL", "DFN", "EM", "FONT",
    "I", "IMG", "INS", "KBD", "LABEL", "MARK", "NOBR", "Q", "RP", "RT", "RUBY", "S", "SAMP",
    "SMALL", "SPAN", "STRONG", "SUB", "SUP", "TIME", "TT", "U", "VAR", "WBR",
  ]);
  const BLOCK_TAGS = new Set([
    "ADDRESS", "ARTICLE", "ASIDE", "BLOCKQUOTE", "BODY", "CAPTION", "DD", "DETAILS", "DIALOG",
    "DIV", "DL", "DT", "FIELDSET", "FIGCAPTION", "FIGURE", "FOOTER", "H1", "H2", "H3", "H4",
    "H5", "H6", "HEADER", "HGROUP", "HR", "HTML", "LEGEND", "LI", "MAIN", "MENU", "NAV", "OL",
    "P", "PRE", "SECTION", "SUMMARY", "TABLE", "TBODY", "TD", "TFOOT", "TH", "THEAD", "TR", "UL",
  ]);
  const OWN_UI_PREFIX = "HEALTHFLAGS-";
  const MAX_SEGMENT_CHARS = 4000;

  function isBlock(element, cache) {
    const tag = element.tagName;
    if (BLOCK_TAGS.has(tag)) return true;
    if (INLINE_TAGS.has(tag)) return false;
    // Unknown and custom elements: ask the layout (once per element).
    let known = cache.get(element);
    if (known === undefined) {
      const display = getComputedStyle(element).display;
      known = !(display.startsWith("inline") || display === "contents" || display === "ruby");
      cache.set(element, known);
    }
    return known;
  }

  // Never read, whatever the styles say: code, form fields, editable areas, our own UI.
  function isSkippedByKind(element) {
    return SKIP_TAGS.has(element.tagName) || element.tagName.startsWith(OWN_UI_PREFIX)
      || element.isContentEditable;
  }

  function isSkipped(element) {
    return isSkippedByKind(element) || isHiddenBox(element);
  }

  // Hidden from a sighted reader, for this element and everything inside it: not rendered
  // (display: none, the hidden attribute, content-visibility: hidden, a closed <details>),
  // fully transparent (opacity: 0 here or above), clipped to nothing (the "visually
  // hidden" pattern, a collapsed box with overflow hidden) or placed where no scrolling
  // reaches (above the page, or left of it in a left-to-right page). visibility is
  // inherited and may be undone by a child, so it is checked per text node (isHiddenText).
  // content-visibility: auto only skips painting off-screen: that text is read, like any
  // text further down the page.
  function isHiddenBox(element) {
    if (element.hidden) return true;
    const style = getComputedStyle(element);
    if (style.display === "contents") return false; // no box of its own; children decide
    // checkVisibility() says whether the box shows; content-visibility: hidden on the
    // element itself hides what is inside it.
    if (!element.checkVisibility({ opacityProperty: true }) || style.contentVisibility === "hidden") return true;
    if (style.position === "absolute" || style.position === "fixed") {
      if (isZeroClip(style.clip)) return true;
      const rect = element.getBoundingClientRect();
      if (style.position === "fixed") {
        if (rect.bottom <= 0 || rect.right <= 0 || rect.top >= innerHeight || rect.left >= innerWidth) return true;
      } else if (rect.bottom + scrollY <= 0
        || (rect.right + scrollX <= 0 && getComputedStyle(document.documentElement).direction === "ltr")) {
        return true;
      }
    }
    if (/^inset\(\s*(?:[5-9]\d|100)(?:\.\d+)?%\s*\)$/.test(style.clipPath)) return true;
    if (!style.display.startsWith("inline") && (isClipping(style.overflowX) || isClipping(style.overflowY))) {
      const rect = element.getBoundingClientRect();
      if (rect.width <= 1 || rect.height <= 1) return true;
    }
    return false;
  }

  const isClipping = (overflow) => overflow !== "visible";

  // clip: rect(top, right, bottom, left) that leaves at most one pixel.
  function isZeroClip(clip) {
    const parts = /^rect\(([^)]*)\)$/.exec(clip)?.[1].split(/[\s,]+/).map(parseFloat);
    if (!parts || parts.length !== 4 || parts.some(Number.isNaN)) return false;
    const [top, right, bottom, left] = parts;
    return right - left <= 1 || bottom - top <= 1;
  }

  // A text node's own styles: visibility (inherited, so a visible child of a hidden
  // parent shows) and a zero font size.
  function isHiddenText(parent, cache) {
    let hidden = cache.get(parent);
    if (hidden === undefined) {
      const style = getComputedStyle(parent);
      hidden = style.visibility !== "visible" || parseFloat(style.fontSize) === 0;
      cache.set(parent, hidden);
    }
    return hidden;
  }

  // Whether an element's ancestors hide it (for a walk that starts below the body).
  function isHiddenAbove(element) {
    for (let up = element.parentElement; up && up !== document.documentElement; up = up.parentElement) {
      if (isSkipped(up)) return true;
    }
    return false;
  }

  // Walk root's visible text and group it into blocks, yielding to the page every few
  // milliseconds so that a long page never blocks the main thread for long.
  async function collectBlocks(root, { budgetMs = 8 } = {}) {
    const blocks = new Map(); // element -> block, in page order
    const blockOfParent = new Map();
    const displayCache = new Map();
    const textCache = new Map();
    if (!root || (root.nodeType === Node.ELEMENT_NODE && (isSkipped(root) || isHiddenAbove(root)))) return [];
    let lastBlock = null;

    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode(node) {
        if (node.nodeType === Node.TEXT_NODE) {
          return isHiddenText(node.parentElement, textCache) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
        }
        if (isSkipped(node)) return NodeFilter.FILTER_REJECT;
        return node.tagName === "BR" ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP;
      },
    });

    const blockElementOf = (parent) => {
      let element = blockOfParent.get(parent);
      if (element) return element;
      element = parent;
      while (element && element !== root && !isBlock(element, displayCache)) element = element.parentElement;
      element = element ?? root;
      blockOfParent.set(parent, element);
      return element;
    };

    let deadline = performance.now() + budgetMs;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent) continue;
      const element = blockElementOf(parent);
      let block = blocks.get(element);
      if (!block) {
        block = { element, text: "", pieces: [] };
        blocks.set(element, block);
      }
      // Text resuming after a nested block is a new line, not glued to the word before.
      if (lastBlock && lastBlock !== block && block.text && !/\s$/.test(block.text)) appendGap(block, "\n");
      lastBlock = block;
      if (node.nodeType === Node.TEXT_NODE) {
        if (node.data) {
          block.pieces.push({ node, start: block.text.length, end: block.text.length + node.data.length });
          block.text += node.data;
        }
      } else {
        appendGap(block, "\n"); // <br>
      }
      if (performance.now() > deadline) {
        await yieldToPage();
        deadline = performance.now() + budgetMs;
      }
    }
    return [...blocks.values()].filter((b) => b.text.trim());
  }

  function appendGap(block, text) {
    block.pieces.push({ node: null, start: block.text.length, end: block.text.length + text.length });
    block.text += text;
  }

  function yieldToPage() {
    if (globalThis.scheduler?.yield) return globalThis.scheduler.yield();
    return new Promise((resolve) => setTimeout(resolve, 0));
  }

  // Long blocks are sent as several segments; `base` is where each segment starts in its
  // block's text. A cut falls after white space in the second half of the segment when
  // there is some, else between two graphemes (never inside an emoji or a surrogate pair).
  function segmentsOf(block, nextId) {
    const segments = [];
    let base = 0;
    while (base < block.text.length) {
      const end = cutAt(block.text, base);
      const text = block.text.slice(base, end);
      if (text.trim()) segments.push({ id: nextId(), block, base, text });
      base = end;
    }
    return segments;
  }

  let graphemes = null;

  function cutAt(text, base) {
    const limit = base + MAX_SEGMENT_CHARS;
    if (limit >= text.length) return text.length;
    for (let i = limit - 1; i >= base + MAX_SEGMENT_CHARS / 2; i--) {
      if (/\s/.test(text[i])) return i + 1;
    }
    graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
    // The grapheme that straddles the limit starts the next segment.
    const straddling = graphemes.segment(text.slice(base, limit + 64)).containing(MAX_SEGMENT_CHARS);
    if (straddling && straddling.index > 0) return base + straddling.index;
    // One grapheme longer than a segment: cut between code points at least.
    return /[\uD800-\uDBFF]/.test(text[limit - 1]) ? limit - 1 : limit;
  }

  // Block offsets -> DOM Range, or null when the offsets fall outside any text node.
  function rangeFromOffsets(block, start, end) {
    const textPieces = block.pieces.filter((p) => p.node);
    const first = textPieces.find((p) => p.end > start);
    const last = textPieces.findLast((p) => p.start < end);
    if (!first || !last || !first.node.isConnected || !last.node.isConnected) return null;
    const range = document.createRange();
    try {
      range.setStart(first.node, Math.max(0, start - first.start));
      range.setEnd(last.node, Math.min(last.node.data.length, end - last.start));
    } catch {
      return null; // the node's text changed since it was read
    }
    return range.collapsed ? null : range;
  }

  // White space differs between a block's text (a <br> is "\n") and Range.toString();
  // letters are what must agree.
  const squash = (text) => text.replace(/\s+/g, "");

  function rangeShowsQuote(range, exact) {
    if (!range || range.collapsed) return false;
    return squash(range.toString()) === squash(exact);
  }

  // Find a quote in a text: exact occurrences first (the one whose surrounding text best
  // fits prefix/suffix, then nearest the old position), then ignoring case and white
  // space, then the text between prefix and suffix. Returns {start, end} or null.
  function findQuote(text, { exact, prefix = "", suffix = "", hint = 0 }) {
    if (!exact) return null;
    let best = null;
    for (let at = text.indexOf(exact); at !== -1; at = text.indexOf(exact, at + 1)) {
      const score = commonSuffix(text.slice(Math.max(0, at - prefix.length), at), prefix)
        + commonPrefix(text.slice(at + exact.length, at + exact.length + suffix.length), suffix)
        - Math.abs(at - hint) / 1e6;
      if (!best || score > best.score) best = { start: at, end: at + exact.length, score };
    }
    if (best) return { start: best.start, end: best.end };

    const folded = foldWithMap(text);
    const quote = foldWithMap(exact).text;
    const at = quote ? folded.text.indexOf(quote) : -1;
    if (at !== -1) return { start: folded.map[at], end: folded.map[at + quote.length - 1] + 1 };

    // The quote itself was edited: take what lies between its prefix and suffix.
    const before = foldWithMap(prefix).text.slice(-32);
    const after = foldWithMap(suffix).text.slice(0, 32);
    if (before.length >= 8 && after.length >= 8) {
      const p = folded.text.indexOf(before);
      const s = p === -1 ? -1 : folded.text.indexOf(after, p + before.length);
      const span = s - (p + before.length);
      if (p !== -1 && s !== -1 && span > quote.length * 0.5 && span < quote.length * 1.5 + 8) {
        const startFolded = p + before.length;
        // skip the space that separated prefix and quote
        const first = folded.text[startFolded] === " " ? startFolded + 1 : startFolded;
        const lastFolded = folded.text[s - 1] === " " ? s - 2 : s - 1;
        if (lastFolded >= first) return { start: folded.map[first], end: folded.map[lastFolded] + 1 };
      }
    }
    return null;
  }

  // Lower case with runs of white space as one space, and for each folded character the
  // index of the original character it came from.
  function foldWithMap(text) {
    let out = "";
    const map = [];
    let lastWasSpace = true; // drops leading white space
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (/\s/.test(ch)) {
        if (!lastWasSpace) {
          out += " ";
          map.push(i);
        }
        lastWasSpace = true;
      } else {
        out += ch.toLowerCase().length === 1 ? ch.toLowerCase() : ch;
        map.push(i);
        lastWasSpace = false;
      }
    }
    if (out.endsWith(" ")) {
      out = out.slice(0, -1);
      map.pop();
    }
    return { text: out, map };
  }

  function commonPrefix(a, b) {
    let n = 0;
    while (n < a.length && n < b.length && a[n] === b[n]) n++;
    return n;
  }

  function commonSuffix(a, b) {
    let n = 0;
    while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
    return n;
  }

  // The block element a node belongs to (the nearest block-level ancestor).
  function blockElementFor(node) {
    const cache = new Map();
    let element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    while (element && !isBlock(element, cache)) element = element.parentElement;
    return element ?? document.body;
  }

  function isBlockElement(node) {
    return node.nodeType === Node.ELEMENT_NODE && isBlock(node, new Map());
  }

  function isInsideSkipped(node) {
    for (let e = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement; e; e = e.parentElement) {
      if (isSkippedByKind(e)) return true;
    }
    return false;
  }

  return { collectBlocks, segmentsOf, rangeFromOffsets, rangeShowsQuote, findQuote,
           blockElementFor, isBlockElement, isInsideSkipped, yieldToPage };
})();
