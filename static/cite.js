// Citation previews: hover or focus a citation mark to read the cited passage in place.
// Progressive enhancement only: without this script every mark is a plain link to its paragraph.
// Meets WCAG 2.1 SC 1.4.13: dismissible (Esc), hoverable (the pointer can move onto the card),
// persistent (stays until the pointer or focus leaves, or Esc). On touch, the first tap opens the
// card and a tap elsewhere closes it; a second tap on the mark follows the link.
(function () {
  "use strict";

  var CLOSE_DELAY_MS = 300;
  var card = null;      // the open card element, if any
  var trigger = null;   // the mark link that opened it
  var closeTimer = null;
  var lastPointer = "mouse";
  var dismissed = null; // the mark whose card Esc closed: focus alone does not reopen it

  function byId(id) {
    return document.getElementById(id);
  }

  // A card is put together from parts the page writes once (templates/components/card.html):
  // the frame (#cite_card), each source's name and wording (#cite_source_<id>) and, for sources
  // shown in full, each cited paragraph's text (#cite_<id>_<n>). Content ids never hold "_". The mark's link says which
  // paragraphs (data-card "<id>:<first>" or "<id>:<first>-<last>") and which words it quotes
  // (data-quotes, [[paragraph, "words"], ...]).
  function buildCard(link) {
    var key = link.getAttribute("data-card") || "";
    var colon = key.lastIndexOf(":");
    var range = key.slice(colon + 1).split("-");
    var sourceId = key.slice(0, colon);
    var first = parseInt(range[0], 10);
    var last = parseInt(range[1] || range[0], 10);
    var frame = byId("cite_card");
    var source = byId("cite_source_" + sourceId);
    if (colon < 1 || !frame || !source || isNaN(first) || isNaN(last)) return null;
    var quotes = [];
    try {
      quotes = JSON.parse(link.getAttribute("data-quotes") || "[]");
    } catch (error) {
      quotes = [];
    }
    var parts = source.content;
    var element = document.createElement("span");
    element.appendChild(frame.content.cloneNode(true));
    fill(element, "source", part(parts, "name").childNodes);
    element.querySelectorAll('[data-slot="label"]').forEach(function (slot) {
      slot.textContent = link.textContent;
    });
    slot(element, "page").setAttribute("href", link.getAttribute("href"));
    var original = slot(element, "original");
    var url = source.getAttribute("data-url");
    if (url) original.setAttribute("href", quotes.length ? fragmentUrl(url, quotes[0][1]) : url);
    else original.parentNode.removeChild(original);
    var body = slot(element, "body");
    if (source.getAttribute("data-text") === "full") {
      for (var number = first; number <= last; number++) {
        var paragraph = byId("cite_" + sourceId + "_" + number);
        if (paragraph) body.appendChild(highlighted(paragraph.content.cloneNode(true), quotesIn(quotes, number)));
      }
    } else {
      if (quotes.length) {
        var text = part(parts, "quotes");
        quotes.forEach(function (quote, index) {
          if (index > 0) text.appendChild(part(parts, "gap"));
          var mark = part(parts, "quote");
          fill(mark, "words", [document.createTextNode(quote[1])]);
          text.appendChild(mark);
        });
        body.appendChild(text);
      } else {
        body.appendChild(part(parts, "none"));
      }
      body.appendChild(part(parts, "rights"));
    }
    unwrap(body);
    return element;
  }

  function part(parts, name) {
    var found = parts.querySelector('[data-part="' + name + '"]').cloneNode(true);
    found.removeAttribute("data-part");
    return found;
  }

  function slot(element, name) {
    return element.querySelector('[data-slot="' + name + '"]');
  }

  function fill(element, name, nodes) {
    var target = slot(element, name);
    Array.prototype.slice.call(nodes).forEach(function (node) {
      target.appendChild(node.cloneNode(true));
    });
    unwrap(target);
  }

  function unwrap(target) {
    if (target.getAttribute("class")) {
      target.removeAttribute("data-slot");
      return;
    }
    while (target.firstChild) target.parentNode.insertBefore(target.firstChild, target);
    target.parentNode.removeChild(target);
  }

  function quotesIn(quotes, number) {
    return quotes.filter(function (quote) { return quote[0] === number; }).map(function (quote) { return quote[1]; });
  }

  // Marks each quotation in a paragraph's text: the first place its words stand, as the build found them.
  function highlighted(fragment, words) {
    words.forEach(function (quote) {
      var walker = document.createTreeWalker(fragment, NodeFilter.SHOW_TEXT);
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentNode.nodeName === "MARK") continue;
        var at = node.data.indexOf(quote);
        if (at < 0) continue;
        var match = node.splitText(at);
        match.splitText(quote.length);
        var mark = document.createElement("mark");
        match.parentNode.replaceChild(mark, match);
        mark.appendChild(match);
        break;
      }
    });
    return fragment;
  }

  // The original page scrolled to the words (URL Text Fragments), encoded as the build encodes them.
  function fragmentUrl(url, words) {
    var text = words.trim().split(/\s+/).join(" ");
    var encoded = encodeURIComponent(text).replace(/[!'()*-]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    });
    return url.split("#")[0] + "#:~:text=" + encoded;
  }

  function open(link) {
    cancelClose();
    if (trigger === link) return;
    close();
    var built = buildCard(link);
    if (!built) return;
    card = built;
    card.className = "cite-card";
    card.id = "cite_card_open";
    card.setAttribute("role", "group");
    card.setAttribute("aria-label", "Source preview");
    // Right after the mark, so that Tab moves from the mark into the card's links.
    var mark = link.closest(".cite");
    // The card replaces the browser's own tooltip, which would otherwise cover it. Moved here, mark by mark,
    // rather than for every mark when the page loads, which would restyle the whole page at once.
    if (mark.hasAttribute("title")) {
      mark.setAttribute("data-title", mark.getAttribute("title"));
      mark.removeAttribute("title");
    }
    mark.parentNode.insertBefore(card, mark.nextSibling);
    card.addEventListener("mouseenter", cancelClose);
    card.addEventListener("mouseleave", scheduleClose);
    trigger = link;
    link.setAttribute("aria-expanded", "true");
    link.setAttribute("aria-controls", "cite_card_open");
    place(card, link);
  }

  // Below the mark if the card fits there, else above it; a card too tall for either (a long paragraph on a
  // phone) goes as low as the screen allows, its text scrolling inside it, so that its links are always in view.
  function place(element, link) {
    var margin = 8;
    element.style.maxHeight = window.innerHeight - 2 * margin + "px";
    var rect = link.getBoundingClientRect();
    var width = Math.min(element.offsetWidth, document.documentElement.clientWidth - 2 * margin);
    var left = Math.max(margin, Math.min(rect.left, document.documentElement.clientWidth - width - margin));
    var height = element.offsetHeight;
    var top = rect.bottom + 6;
    var body = document.body.getBoundingClientRect();
    if (top + height > window.innerHeight - margin) {
      if (rect.top - height - 6 >= margin) top = rect.top - height - 6;
      else top = Math.max(margin, window.innerHeight - margin - height);
    }
    element.style.left = left - body.left + "px";
    element.style.top = top - body.top + "px";
  }

  function close() {
    cancelClose();
    if (!card) return;
    card.parentNode.removeChild(card);
    trigger.setAttribute("aria-expanded", "false");
    trigger.removeAttribute("aria-controls");
    card = null;
    trigger = null;
  }

  function scheduleClose() {
    cancelClose();
    closeTimer = window.setTimeout(close, CLOSE_DELAY_MS);
  }

  function cancelClose() {
    if (closeTimer) window.clearTimeout(closeTimer);
    closeTimer = null;
  }

  function markLink(target) {
    return target && target.closest ? target.closest(".cite a[data-card]") : null;
  }

  function isInside(node) {
    return node && ((card && card.contains(node)) || (trigger && trigger === node));
  }

  var tapping = false; // between a touch pointerdown and its click: the click decides

  document.addEventListener("pointerdown", function (event) {
    lastPointer = event.pointerType || "mouse";
    tapping = lastPointer === "touch";
    if (card && !isInside(event.target) && !markLink(event.target)) close();
  });

  document.addEventListener("mouseover", function (event) {
    var link = markLink(event.target);
    if (link && lastPointer !== "touch") {
      dismissed = null;
      open(link);
    }
  });

  document.addEventListener("mouseout", function (event) {
    var link = markLink(event.target);
    if (link && link === trigger && !isInside(event.relatedTarget)) scheduleClose();
  });

  document.addEventListener("focusin", function (event) {
    var link = markLink(event.target);
    if (link && link !== dismissed && !tapping) open(link);
    else if (card && !isInside(event.target)) close();
  });

  document.addEventListener("focusout", function (event) {
    if (markLink(event.target) === dismissed) dismissed = null;
  });

  document.addEventListener("click", function (event) {
    var link = markLink(event.target);
    tapping = false;
    if (link && lastPointer === "touch" && trigger !== link) {
      event.preventDefault();  // first tap previews; a second tap follows the link
      open(link);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !card) return;
    var focusWasInCard = card.contains(document.activeElement);
    var link = trigger;
    close();
    dismissed = link;
    if (focusWasInCard) link.focus({ preventScroll: true });
    event.preventDefault();
  });

  window.addEventListener("resize", function () {
    if (card) place(card, trigger);
  });

})();
