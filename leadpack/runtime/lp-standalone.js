/* Standalone adapter: no LMS found (a file share, a plain web server, a preview). Progress stays in this
   browser, and the learner is told so. */
(function () {
  "use strict";
  LP.adapters.standalone = function () {
    var store = LP.storage(), key = "leadpack:" + LP.data.set.id + ":" + LP.data.unit.id + ":state";
    var adapter = LP.adapter("standalone", {
      learnerId: "local",
      start: function () {
        var saved = store ? LP.decodeState(store.getItem(key)) : null;
        adapter.onStatus("standalone");
        return Promise.resolve({ learnerName: "", state: saved, resume: !!(saved && saved.location), mode: "normal" });
      },
      save: function (state) { if (store) store.setItem(key, LP.encodeState(state, LP.data.storage === "lms")); },
      pageViewed: function (page, state) { adapter.save(state); },
      answered: function (question, response, correct, latency, state) { adapter.save(state); },
      reflected: function (reflection, state) { adapter.save(state); },
      evaluated: function (result, state) { adapter.save(state); },
      languageChosen: function (language, state) { adapter.save(state); },
      flush: function () {},
      finish: function (state) { adapter.save(state); }
    });
    return adapter;
  };
})();
