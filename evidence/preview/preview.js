// The live preview's client, injected into every page the preview serves (never into a build).
// It starts python-livereload's client, which reloads the page or swaps a stylesheet when the
// server says so, and it shows the last build's problems over the page. A file, not inline
// code, so that it runs under the site's Content-Security-Policy.
(function () {
  "use strict";

  const script = document.currentScript;
  const servedBuild = Number(script.dataset.build);
  const reserved = new URL("./", script.src);
  let statusSocket = null;
  let leaving = false;
  let overlay = null;

  function startLivereload() {
    // livereload.js finds its server from its own URL's query (as python-livereload's inline loader does).
    const port = location.port || (location.protocol === "https:" ? "443" : "80");
    const client = document.createElement("script");
    client.src = new URL(`livereload.js?host=${location.hostname}&port=${port}`, reserved).href;
    document.head.appendChild(client);
  }

  function connectStatus() {
    if (statusSocket) {
      return;
    }
    const url = new URL("status", reserved);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    statusSocket = new WebSocket(url.href);
    let first = true;
    statusSocket.onmessage = (event) => {
      const status = JSON.parse(event.data);
      // Opened only once livereload.js is connected: a build newer than this page happened
      // before livereload.js could pass it on, so the page reloads itself.
      if (first && status.build > servedBuild) {
        location.reload();
        return;
      }
      first = false;
      if (status.problems.length) {
        showProblems(status.problems, status.build === 0);
      } else {
        hideOverlay();
      }
    };
    statusSocket.onclose = () => {
      statusSocket = null;
      if (!leaving) {
        showMessage("The preview server has stopped", "This page no longer updates. Run python build.py serve again and the page reloads once the server is back.");
      }
    };
  }

  function panel() {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "evidence-preview";
      // A shadow root keeps the site's styles off the overlay, and the overlay's off the site.
      const root = overlay.attachShadow({ mode: "open" });
      const style = document.createElement("link");
      style.rel = "stylesheet";
      style.href = new URL("preview.css", reserved).href;
      const section = document.createElement("section");
      section.setAttribute("role", "alert");
      section.setAttribute("aria-labelledby", "evidence-preview-title");
      root.append(style, section);
    }
    if (!overlay.isConnected) {
      document.body.appendChild(overlay);
    }
    overlay.hidden = false;
    const section = overlay.shadowRoot.querySelector("section");
    section.replaceChildren();
    return section;
  }

  function heading(section, title, text) {
    const h2 = document.createElement("h2");
    h2.id = "evidence-preview-title";
    h2.textContent = title;
    const p = document.createElement("p");
    p.textContent = text;
    const hide = document.createElement("button");
    hide.type = "button";
    hide.textContent = "Hide";
    hide.addEventListener("click", () => { overlay.hidden = true; });
    section.append(hide, h2, p);
  }

  function showProblems(problems, nothingBuilt) {
    const section = panel();
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    heading(section, `Build failed: ${count}`, nothingBuilt
      ? "There is no good build to show yet. Fix these and the page updates by itself."
      : "You are looking at the last good build. Fix these and the page updates by itself.");
    const list = document.createElement("ul");
    for (const problem of problems) {
      const item = document.createElement("li");
      if (problem.where) {
        const where = document.createElement("code");
        where.textContent = problem.where;
        item.append(where, ": ");
      }
      item.append(problem.message);
      list.append(item);
    }
    section.append(list);
  }

  function showMessage(title, text) {
    heading(panel(), title, text);
  }

  function hideOverlay() {
    if (overlay) {
      overlay.remove();
    }
  }

  window.addEventListener("pagehide", () => { leaving = true; });
  window.addEventListener("beforeunload", () => { leaving = true; });
  // livereload.js fires this on every (re)connection, after registering with the server.
  document.addEventListener("LiveReloadConnect", connectStatus);
  startLivereload();
})();
