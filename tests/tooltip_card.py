"""The extension's tooltip card, read and clicked in a real page (see `Card`)."""

from __future__ import annotations

from extension_browser import WAIT_MS


class Card:
    """The tooltip card, inside its closed shadow root. The page's scripts can't reach it;
    the tests do what DevTools does: the Chrome DevTools Protocol hands out closed roots.
    Every read waits, in the page, until `predicate` holds (or a generous deadline)."""

    def __init__(self, page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)

    def _root(self) -> str | None:
        host = self.cdp.send(
            "Runtime.evaluate", {"expression": "document.querySelector('healthflags-tooltip')"}
        )["result"]
        if "objectId" not in host:
            return None
        node = self.cdp.send(
            "DOM.describeNode", {"objectId": host["objectId"], "depth": 0, "pierce": True}
        )["node"]
        roots = node.get("shadowRoots") or []
        if not roots:
            return None
        assert roots[0]["shadowRootType"] == "closed"
        return self.cdp.send("DOM.resolveNode", {"backendNodeId": roots[0]["backendNodeId"]})[
            "object"
        ]["objectId"]

    def eval(self, function: str, *args):
        """`function(root, ...args)` in the page, with the card's shadow root."""
        root = self.wait_visible()
        answer = self.cdp.send(
            "Runtime.callFunctionOn",
            {
                "objectId": root,
                "functionDeclaration": f"function (...a) {{ return ({function})(this, ...a); }}",
                "arguments": [{"value": a} for a in args],
                "returnByValue": True,
                "awaitPromise": True,
            },
        )
        assert "exceptionDetails" not in answer, answer["exceptionDetails"]
        return answer["result"].get("value")

    def wait_visible(self) -> str:
        self.page.wait_for_function("""() => {
          const host = document.querySelector('healthflags-tooltip');
          return host && getComputedStyle(host).display === 'block'
            && getComputedStyle(host).visibility === 'visible';
        }""")
        root = self._root()
        assert root, "the card has no shadow root"
        return root

    def wait_for(self, predicate: str, *args):
        """Until `predicate(root, ...args)` is truthy in the page; returns its value."""
        value = self.eval(
            f"""(root, ...args) => new Promise((resolve) => {{
              const deadline = Date.now() + {WAIT_MS};
              const poll = () => {{
                let value = null;
                try {{ value = ({predicate})(root, ...args); }} catch {{ value = null; }}
                if (value || Date.now() > deadline) resolve(value);
                else requestAnimationFrame(poll);
              }};
              poll();
            }})""",
            *args,
        )
        assert value, f"the card never satisfied {predicate} {args}"
        return value

    def text(self, selector: str = ".card") -> str:
        return self.wait_for("(root, s) => root.querySelector(s)?.textContent", selector)

    def expect_text(self, selector: str, contains: str) -> str:
        return self.wait_for(
            "(root, s, t) => root.querySelector(s)?.textContent.includes(t) "
            "&& root.querySelector(s).textContent",
            selector,
            contains,
        )

    def count(self, selector: str) -> int:
        return self.eval("(root, s) => root.querySelectorAll(s).length", selector)

    def attributes(self, selector: str, *names: str) -> list[list]:
        return self.eval(
            "(root, s, names) => [...root.querySelectorAll(s)]"
            ".map((e) => names.map((n) => e.getAttribute(n)))",
            selector,
            list(names),
        )

    def click(self, selector: str) -> None:
        """A real click (trusted, from the browser's input) in the middle of the element."""
        box = self.wait_for(
            """(root, s) => {
              const r = root.querySelector(s)?.getClientRects()[0]; // a link may wrap
              return r && r.width > 0 ? {x: r.left + r.width / 2, y: r.top + r.height / 2} : null;
            }""",
            selector,
        )
        self.page.mouse.click(box["x"], box["y"])
