/* leadpack languages, shipped only in a package that holds the set in several (data.languages, in the order
   learners are offered them): the learner's choice among them, on top of lp-core.js. Ids are the same in each, so
   one state serves all; the words the runtime uses (interface strings, titles, the text of questions and
   reflections) are switched in place in `data`, so every part of the runtime, the adapters' statements included,
   speaks the language the learner sees. data.language is that language. */
(function () {
  "use strict";
  var data = LP.data;
  var own = { code: data.language, strings: data.strings, texts: wordsOf(data) };
  var languages = (data.languages || []).map(function (l) {
    return l.code === own.code ? Object.assign({}, l, { strings: own.strings, texts: own.texts }) : l;
  });

  /* Every text of `d` that a language has its own of, as (holder, field, key): the key is the one a language's texts
     are stored under (by kind and id), so the same walk collects the package's own words and puts another's in. */
  function eachWord(d, visit) {
    visit(d.set, "title", "set");
    visit(d.set, "description", "set.description");
    visit(d.unit, "title", "unit");
    if (d.nextUnit) visit(d.nextUnit, "title", "next");
    d.modules.forEach(function (m) { visit(m, "title", "module:" + m.id); });
    d.pages.forEach(function (p) { visit(p, "title", "page:" + p.id); });
    d.reflections.forEach(function (r) { visit(r, "prompt", "reflection:" + r.id); });
    d.questions.forEach(function (q) {
      visit(q, "text", "question:" + q.id);
      Object.keys(q.options).forEach(function (k) { visit(q.options, k, "option:" + q.id + ":" + k); });
    });
  }

  function wordsOf(d) {
    var words = {};
    eachWord(d, function (holder, field, key) { words[key] = holder[field]; });
    return words;
  }

  function useLanguage(code) {
    var chosen = languages.filter(function (l) { return l.code === code; })[0];
    if (!chosen) return data.language;
    eachWord(data, function (holder, field, key) { if (key in chosen.texts) holder[field] = chosen.texts[key]; });
    data.strings = chosen.strings;
    data.language = code;
    return code;
  }

  /* The language in `wanted` (a tag, or a comma-separated list such as cmi5's languagePreference) that the package
     has, matched whole first and then by its primary subtag (cy-GB finds cy), or "". */
  function match(wanted) {
    var found = "";
    String(wanted || "").split(",").some(function (tag) {
      tag = tag.trim().toLowerCase();
      languages.some(function (l) { if (l.code.toLowerCase() === tag) found = l.code; return found; });
      if (!found && tag) languages.some(function (l) {
        if (l.code.toLowerCase().split("-")[0] === tag.split("-")[0]) found = l.code;
        return found;
      });
      return found;
    });
    return found;
  }

  /* The language a launch starts in: the one the learner last chose here (saved), else the platform's preference,
     else the browser's, else the first the set offers. Adapters whose start() says something in a language call it
     before they do; calling it again gives the same answer. */
  function startLanguage(state, preferred) {
    var browser = (navigator.languages || [navigator.language || ""]).join(",");
    return useLanguage(match(state && state.language) || match(preferred) || match(browser) || languages[0].code);
  }

  LP.languages = languages;
  LP.useLanguage = useLanguage;
  LP.startLanguage = startLanguage;
  LP.matchLanguage = match;
})();
