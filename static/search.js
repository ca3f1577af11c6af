// Site search on the search page: runs Pagefind's index (pagefind/) in the browser and lists what it finds.
// Every tag and phrase comes from the page's <template>s and #search-phrases (templates/search.html).
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  if (!form) return;
  var input = form.querySelector("#search-input");
  var status = document.querySelector(".search-status");
  var list = document.querySelector(".search-results");
  var filtersBox = form.querySelector(".search-filters");
  var phrases = document.getElementById("search-phrases").dataset;
  var root = new URL(form.dataset.root, location.href);
  var pagefind = null;
  var selects = {};
  var latest = 0;

  function say(text) { status.textContent = text; }

  function chosenFilters() {
    var chosen = {};
    Object.keys(selects).forEach(function (name) {
      if (selects[name].value) chosen[name] = selects[name].value;
    });
    return chosen;
  }

  function addFilters(available) {
    var template = document.getElementById("search-filter");
    ["party", "source", "year"].forEach(function (name) {
      var values = available[name];
      if (!values || !Object.keys(values).length) return;
      var part = template.content.firstElementChild.cloneNode(true);
      var select = part.querySelector("select");
      var id = "search-filter-" + name;
      select.id = id;
      select.name = name;
      part.querySelector("legend").textContent = form.dataset["filter" + name.charAt(0).toUpperCase() + name.slice(1)] || name;
      select.setAttribute("aria-label", part.querySelector("legend").textContent);
      select.add(new Option(phrases.any, ""));
      Object.keys(values).sort(function (a, b) { return name === "year" ? b.localeCompare(a) : a.localeCompare(b); })
        .forEach(function (value) { select.add(new Option(value + " (" + values[value] + ")", value)); });
      select.addEventListener("change", run);
      selects[name] = select;
      filtersBox.appendChild(part);
    });
  }

  function href(url) { return new URL(url.replace(/^\//, ""), root).href; }

  function show(page, sub) {
    var item = document.getElementById("search-result").content.firstElementChild.cloneNode(true);
    var link = item.querySelector(".result-link");
    item.querySelector(".result-kind").textContent = page.meta.kind || "";
    item.querySelector(".result-where").textContent = sub && sub.title !== page.meta.title ? page.meta.title : "";
    link.textContent = sub ? sub.title : page.meta.title;
    link.href = href(sub ? sub.url : page.url);
    item.querySelector(".result-excerpt").innerHTML = sub ? sub.excerpt : page.excerpt; // Pagefind's excerpt: escaped text and <mark>
    list.appendChild(item);
  }

  async function run(event) {
    if (event && event.type === "submit") event.preventDefault();
    var term = input.value.trim();
    var number = ++latest;
    var url = new URL(location.href);
    if (term) url.searchParams.set("q", term); else url.searchParams.delete("q");
    history.replaceState(null, "", url);
    list.textContent = "";
    if (!term || !pagefind) { say(""); return; }
    say(phrases.searching);
    var search = await pagefind.search(term, { filters: chosenFilters() });
    if (number !== latest) return;
    var pages = await Promise.all(search.results.slice(0, 20).map(function (result) { return result.data(); }));
    if (number !== latest) return;
    var shown = 0;
    pages.forEach(function (page) {
      var subs = (page.sub_results || []).slice()  // the parts of the page where the words are found most, in page order
        .sort(function (a, b) { return (b.locations || []).length - (a.locations || []).length; }).slice(0, 3);
      if (!subs.length) { show(page, null); shown++; }
      subs.forEach(function (sub) { show(page, sub); shown++; });
    });
    var found = search.results.length;
    say(!shown ? phrases.none : found === 1 ? phrases.countOne : phrases.count.replace("{count}", found));
  }

  input.addEventListener("input", run);
  form.addEventListener("submit", run);
  import(new URL(form.dataset.index, location.href).href).then(async function (module) {
    pagefind = module;
    await pagefind.options({ baseUrl: "/", excerptLength: 24 }); // result addresses from the site root, resolved against data-root
    addFilters(await pagefind.filters());
    var query = new URL(location.href).searchParams.get("q");
    if (query) input.value = query;
    run();
  }).catch(function () { say(phrases.failed); });
})();
