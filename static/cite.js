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

  function cardTemplate(link) {
    var id = link.getAttribute("data-card");
    return id ? document.getElementById(id) : null;
  }

  function open(link) {
    cancelClose();
    if (trigger === link) return;
    close();
    var template = cardTemplate(link);
    if (!template) return;
    card = document.createElement("span");
    card.className = "cite-card";
    card.id = "cite-card";
    card.setAttribute("role", "group");
    card.setAttribute("aria-label", "Source preview");
    card.appendChild(template.content.cloneNode(true));
    // Right after the mark, so that Tab moves from the mark into the card's links.
    var mark = link.closest(".cite");
    mark.parentNode.insertBefore(card, mark.nextSibling);
    card.addEventListener("mouseenter", cancelClose);
    card.addEventListener("mouseleave", scheduleClose);
    trigger = link;
    link.setAttribute("aria-expanded", "true");
    link.setAttribute("aria-controls", "cite-card");
    place(card, link);
  }

  function place(element, link) {
    var rect = link.getBoundingClientRect();
    var width = Math.min(element.offsetWidth, document.documentElement.clientWidth - 16);
    var left = Math.max(8, Math.min(rect.left, document.documentElement.clientWidth - width - 8));
    var top = rect.bottom + 6;
    var body = document.body.getBoundingClientRect();
    if (top + element.offsetHeight > window.innerHeight && rect.top - element.offsetHeight - 6 > 0) {
      top = rect.top - element.offsetHeight - 6;  // not enough room below: open above
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

  // The cards replace the browser's own tooltips, which would otherwise cover them.
  document.querySelectorAll(".cite[title]").forEach(function (mark) {
    mark.setAttribute("data-title", mark.getAttribute("title"));
    mark.removeAttribute("title");
  });
})();
