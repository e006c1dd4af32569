/* leadpack preview: the LMS page. Launches the package in the frame the way its format's LMS side says: with an
   API object the page installs ("api" sides, e.g. SCORM), or with launch parameters for the preview's LRS ("lrs"
   sides); keeps the learner's committed data on the preview server, and shows every call, the data model, the
   decoded saved state and the statements as they happen. The page never names a format. */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var info = null, session = null, writes = Promise.resolve(), launches = 0, callCount = 0;
  var modelTimer = null, lastDecoded = null, busy = Promise.resolve(), lastLrsCall = 0;
  var MAX_CALLS = 2000, CHECKS = {}; /* the API's error-checking methods, which the panel hides unless asked */

  /* Small bodies go with keepalive, so a commit made while the whole LMS tab closes still arrives. */
  function request(method, url, body) {
    var text = body ? JSON.stringify(body) : undefined;
    return fetch(url, { method: method, cache: "no-store", headers: body ? { "Content-Type": "application/json" } : {},
      body: text, keepalive: !!text && text.length < 60000 }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) throw new Error(data && data.error || ("HTTP " + r.status));
        return data;
      });
    });
  }

  function option(select, value, text) {
    var o = document.createElement("option");
    o.value = value; o.textContent = text; select.appendChild(o);
  }

  function currentSet() {
    return info.sets.filter(function (s) { return s.id === $("pv-set").value; })[0];
  }

  function fillUnits() {
    var set = currentSet(), select = $("pv-unit"), keep = select.value;
    select.textContent = "";
    set.units.forEach(function (u) { option(select, u.id, u.title); });
    if (keep && set.units.some(function (u) { return u.id === keep; })) select.value = keep;
    $("pv-unit-label").hidden = set.units.length < 2;
  }

  /* ---- the panel ---- */
  function text(tag, content, className) {
    var node = document.createElement(tag);
    node.textContent = content;
    if (className) node.className = className;
    return node;
  }

  function quote(value) { return value === undefined ? "" : JSON.stringify(String(value)); }

  function addCall(entry) {
    var list = $("pv-calls"), line;
    if (entry.resource !== undefined) {
      var query = Object.keys(entry.query || {}).map(function (k) { return k + "=" + entry.query[k]; }).join("&");
      line = entry.method + " " + entry.resource + (query ? "?" + query : "") + " → " + entry.status +
        (entry.answer ? " " + entry.answer : "");
    } else {
      line = entry.method + "(" + entry.args.map(quote).join(", ") + ") → " + quote(entry.result) +
        (entry.error !== "0" && !CHECKS[entry.method] ? "  [error " + entry.error + ": " + entry.diagnostic + "]" : "");
    }
    /* An error that only says "no value yet" (a first read) is a note, not a mistake. */
    var unset = entry.resource === undefined && !CHECKS[entry.method] && entry.error === info.side.notSet;
    var bad = entry.resource !== undefined ? entry.status >= 400 :
      entry.error !== "0" && !CHECKS[entry.method] && !unset;
    var item = text("li", line, (CHECKS[entry.method] ? "pv-check" : "") + (bad ? " pv-bad" : unset ? " pv-unset" : ""));
    item.dataset.method = entry.method;
    item.dataset.error = entry.resource !== undefined ? String(entry.status) : entry.error;
    list.appendChild(item);
    while (list.children.length > MAX_CALLS) list.removeChild(list.firstChild);
    list.scrollTop = list.scrollHeight;
    callCount++;
    $("pv-call-count").textContent = "(" + callCount + ")";
  }

  function showSession() {
    if (!session) { $("pv-session").textContent = "No session"; return; }
    var state = session.api ? session.api.preview.session() : "launched";
    $("pv-session").textContent = "Launch " + session.number + " · " + session.learner + " · " + state;
    $("pv-session").dataset.state = state;
  }

  function renderModelSoon() {
    clearTimeout(modelTimer);
    modelTimer = setTimeout(renderModel, 80);
    showSession();
  }

  function renderModel() {
    if (!session || !session.api) return;
    var values = session.api.preview.values(), body = $("pv-model").tBodies[0];
    body.textContent = "";
    Object.keys(values).sort().forEach(function (name) {
      var row = document.createElement("tr"), value = values[name];
      row.dataset.element = name;
      row.appendChild(text("td", name + (session.api.preview.modeOf(name) === "W" ? " (W)" : "")));
      row.appendChild(text("td", value.length > 160 ? value.slice(0, 160) + "… (" + value.length + " characters)" : value));
      body.appendChild(row);
    });
    decode(values[info.side.stateElement] || "");
  }

  function decode(saved) {
    if (!session || saved === lastDecoded) return;
    lastDecoded = saved;
    var which = session;
    request("POST", "/api/explain", { set: which.set, unit: which.unit, text: saved }).then(function (result) {
      if (which === session && saved === lastDecoded) showSaved(result, saved.length);
    }, function (error) { showSaved({ error: String(error.message || error) }, saved.length); });
  }

  function showSaved(result, length) {
    var box = $("pv-saved");
    box.textContent = "";
    if (result.empty) { box.appendChild(text("p", "Nothing saved yet.")); return; }
    if (result.error) { box.appendChild(text("p", result.error, "pv-bad")); return; }
    var bookmark = result.pages.filter(function (p) { return p.id === result.bookmark; })[0];
    box.appendChild(text("p", length + " characters. Bookmark: " + (bookmark ? bookmark.title : "none") +
      ". Finished: " + result.finished + "."));
    var done = result.pages.filter(function (p) { return p.done; }).length;
    box.appendChild(text("h3", "Pages " + done + " of " + result.pages.length));
    box.appendChild(list("pv-saved-pages", result.pages, function (p) {
      return [(p.done ? "✓ " : "– ") + p.module + " › " + p.title, p.done ? "pv-done" : "pv-missing", p.id, p.done];
    }));
    box.appendChild(text("h3", "Answers"));
    box.appendChild(list("pv-saved-answers", result.answers, function (a) {
      var said = a.response ? a.chosen.join("; ") + (a.right ? " (right)" : " (wrong)") : "not answered";
      return [a.text + ": " + said, a.response ? (a.right ? "pv-done" : "pv-bad") : "pv-missing", a.id, !!a.response];
    }));
    box.appendChild(text("h3", "Reflections"));
    box.appendChild(list("pv-saved-reflections", result.reflections, function (r) {
      return [r.prompt + ": " + (r.length ? r.length + " characters" : "empty"), r.length ? "pv-done" : "pv-missing",
        r.id, r.length > 0];
    }));
  }

  function list(id, items, describe) {
    var ul = document.createElement("ul");
    ul.id = id;
    items.forEach(function (item) {
      var d = describe(item), li = text("li", d[0], d[1]);
      li.dataset.id = d[2];
      li.dataset.done = String(d[3]);
      ul.appendChild(li);
    });
    return ul;
  }

  /* An agent as the LRS keys it (its one identifier), to tell the learner's statements and documents. */
  function agentKey(agent) {
    if (agent && agent.account) return "account:" + agent.account.homePage + "|" + agent.account.name;
    return agent && agent.mbox ? "mbox:" + agent.mbox : "";
  }

  /* `rules`: what the side judged the statement by, where its standard has rules for statements. */
  function addStatement(statement, rules) {
    if (!session || !session.actor || agentKey(statement.actor) !== agentKey(session.actor)) return;
    if (document.querySelector('#pv-statements li[data-id="' + statement.id + '"]')) return;
    var object = statement.object, name = object.definition && object.definition.name;
    var title = name ? name[Object.keys(name)[0]] : object.id;
    var result = statement.result || {}, extra = [];
    if (result.response !== undefined) extra.push("response " + JSON.stringify(result.response));
    if (result.success !== undefined) extra.push(result.success ? "success" : "no success");
    if (result.score) extra.push("score " + result.score.raw);
    var item = text("li", statement.verb.id.replace(/^.*\//, "") + " · " + title + (extra.length ? " · " + extra.join(", ") : ""));
    (rules || []).forEach(function (rule) {
      var verdict = text("span", rule.ok ? " ✓ " + rule.id : " ✗ breaks " + rule.id + ": " + rule.rule,
        rule.ok ? "pv-rule" : "pv-rule pv-bad");
      verdict.title = rule.rule;
      verdict.dataset.rule = rule.id;
      verdict.dataset.ok = String(rule.ok);
      item.appendChild(verdict);
    });
    if ((rules || []).some(function (rule) { return !rule.ok; })) item.classList.add("pv-bad");
    item.dataset.id = statement.id;
    item.dataset.verb = statement.verb.id;
    item.dataset.object = object.id;
    $("pv-statements").appendChild(item);
    $("pv-statement-count").textContent = "(" + $("pv-statements").children.length + ")";
  }

  /* ---- sessions ---- */
  function persist(which, values, final) {
    writes = writes.then(function () {
      return request("POST", "/api/commit", { set: which.set, unit: which.unit, learner: which.learner,
        values: values, final: final });
    }).catch(function (error) { $("pv-build").textContent = "Could not store a commit: " + error.message; });
  }

  function launch(hash) {
    var set = $("pv-set").value, unit = $("pv-unit").value, learner = $("pv-learner").value;
    return request("GET", "/api/launch?" + new URLSearchParams({ set: set, unit: unit, learner: learner })).then(function (l) {
      var which = { set: l.set, unit: l.unit, learner: l.learner, number: ++launches, actor: l.actor || null, api: null };
      if (l.model) {
        which.api = new window[info.side.apiClass](l.model, {
          onCall: function (entry) { if (which === session) { addCall(entry); renderModelSoon(); } },
          persist: function (values, final) { persist(which, values, final); },
          controls: function () { return info.controls; },
          navigable: function (request) { return !!neighbour(which, request); },
          navigate: function (request) { if (which === session) navigate(which, request); }
        });
        window[info.side.api] = which.api;
      }
      session = which;
      lastDecoded = null;
      $("pv-calls").appendChild(text("li", "— launch " + which.number + " (" + which.learner + ") —", "pv-launch"));
      $("pv-statements").textContent = "";
      if (!l.model) {
        request("GET", "/api/statements").then(function (all) {
          all.forEach(function (s) { if (s.statement) addStatement(s.statement, s.rules); else addStatement(s); });
        });
      }
      showSession();
      renderModel();
      $("pv-frame").src = l.url + (hash || "");
    });
  }

  /* The unit a navigation request from `which` leads to ("continue": the next, "previous": the one before). */
  function neighbour(which, request) {
    var units = info.sets.filter(function (s) { return s.id === which.set; })[0].units;
    var here = units.map(function (u) { return u.id; }).indexOf(which.unit);
    var step = { "continue": 1, previous: -1 }[request];
    return here >= 0 && step ? units[here + step] : null;
  }

  /* What an LMS does when a unit ends asking to move on: opens the unit the request names (others end here). */
  function navigate(which, request) {
    var unit = neighbour(which, request);
    if (!unit) return;
    $("pv-unit").value = unit.id;
    $("pv-build").textContent = "The package asked to " + request + ": opening " + unit.title + ".";
    relaunch("");
  }

  /* Unloading the frame ends the session the way a learner leaving does (pagehide → the API's finish, or an LRS
     adapter's last statements and state); the next launch waits until the server has what that session sent. */
  function unload() {
    var frame = $("pv-frame");
    return new Promise(function (resolve) {
      if (!frame.getAttribute("src") || frame.getAttribute("src") === "about:blank") { resolve(); return; }
      frame.addEventListener("load", function loaded() { frame.removeEventListener("load", loaded); resolve(); });
      frame.src = "about:blank";
    }).then(function () { return writes; }).then(lrsQuiet).then(function () { showSession(); });
  }

  /* An LRS adapter sends its last requests with keepalive, which nobody can await: wait until the LRS has
     heard nothing for a moment (at most two seconds). */
  function lrsQuiet() {
    if (!session || session.api) return null;
    var started = Date.now();
    return new Promise(function (resolve) {
      (function check() {
        var now = Date.now();
        if (now - lastLrsCall > 300 || now - started > 2000) resolve(); else setTimeout(check, 50);
      })();
    });
  }

  function frameHash() {
    try { return $("pv-frame").contentWindow.location.hash; } catch (e) { return ""; }
  }

  function relaunch(hash) {
    busy = busy.then(function () { return unload(); }).then(function () { return launch(hash); })
      .catch(function (error) { $("pv-build").textContent = String(error.message || error); });
    return busy;
  }

  function resetLearner() {
    busy = busy.then(unload).then(function () {
      Object.keys(localStorage).forEach(function (k) { if (k.indexOf("leadpack:") === 0) localStorage.removeItem(k); });
      return request("POST", "/api/reset", { learner: $("pv-learner").value });
    }).then(function () { $("pv-calls").textContent = ""; callCount = 0; return launch(""); });
    return busy;
  }

  function setControl(name, value) {
    var change = {};
    info.controls[name] = change[name] = value;
    return request("POST", "/api/controls", change);
  }

  /* ---- server events: rebuilds, LRS traffic, statements, state documents ---- */
  function onBuild(event) {
    var data = JSON.parse(event.data), set = data.set;
    info.sets = info.sets.map(function (s) { return s.id === set.id ? set : s; });
    if (set.id !== $("pv-set").value) return;
    fillUnits();
    var build = $("pv-build");
    build.className = "pv-build";
    build.textContent = "Rebuilt " + set.title + " in " + set.seconds.toFixed(2) + " s after an edit to " +
      data.changed.join(", ") + "; reloading.";
    build.dataset.serial = String(set.serial);
    relaunch(frameHash());
  }

  function onBuildFailed(event) {
    var data = JSON.parse(event.data);
    if (data.sets.indexOf($("pv-set").value) < 0) return;
    $("pv-build").className = "pv-build pv-error";
    $("pv-build").setAttribute("role", "alert");
    $("pv-build").textContent = "The last edit does not build; still showing the previous build.\n" + data.problems.join("\n");
  }

  function listen() {
    var source = new EventSource("/events?after=" + info.events);
    source.onopen = function () { document.body.dataset.events = "open"; };
    source.addEventListener("build", onBuild);
    source.addEventListener("build-failed", onBuildFailed);
    source.addEventListener("lrs", function (e) {
      lastLrsCall = Date.now();
      if (session && !session.api) addCall(JSON.parse(e.data));
    });
    source.addEventListener("statement", function (e) { var data = JSON.parse(e.data); addStatement(data.statement, data.rules); });
    source.addEventListener("state", function (e) {
      var data = JSON.parse(e.data);
      if (!session || session.api || data.stateId !== info.side.stateId || data.agent !== agentKey(session.actor)) return;
      decode(data.document);
    });
    source.addEventListener("controls", function (e) { info.controls = JSON.parse(e.data); showControls(); });
  }

  function showControls() {
    $("pv-refuse-commits").checked = !!info.controls.refuseCommits;
    $("pv-lrs-offline").checked = !!info.controls.lrsOffline;
    $("pv-lrs-lenient").checked = !!info.controls.lrsLenient;
    $("pv-limits").value = info.controls.relaxed ? "relaxed" : "strict";
  }

  /* The format side's own scripts (its API object), loaded before the first launch. */
  function loadScripts(names) {
    return Promise.all(names.map(function (name) {
      return new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = "/lms/format/" + name;
        script.async = false; /* run in the order named */
        script.onload = resolve;
        script.onerror = function () { reject(new Error("cannot load " + name)); };
        document.head.appendChild(script);
      });
    }));
  }

  function wire() {
    $("pv-set").addEventListener("change", function () { fillUnits(); relaunch(""); });
    $("pv-unit").addEventListener("change", function () { relaunch(""); });
    $("pv-learner").addEventListener("change", function () { relaunch(""); });
    $("pv-relaunch").addEventListener("click", function () { relaunch(""); });
    $("pv-reset").addEventListener("click", resetLearner);
    $("pv-refuse-commits").addEventListener("change", function (e) { setControl("refuseCommits", e.target.checked); });
    $("pv-lrs-offline").addEventListener("change", function (e) { setControl("lrsOffline", e.target.checked); });
    $("pv-lrs-lenient").addEventListener("change", function (e) { setControl("lrsLenient", e.target.checked); });
    $("pv-limits").addEventListener("change", function (e) { setControl("relaxed", e.target.value === "relaxed"); });
    $("pv-show-checks").addEventListener("change", function (e) {
      $("pv-calls").classList.toggle("pv-with-checks", e.target.checked);
    });
    $("pv-clear-calls").addEventListener("click", function () { $("pv-calls").textContent = ""; callCount = 0; });
  }

  request("GET", "/api/state").then(function (state) {
    info = state;
    document.body.classList.add("pv-kind-" + info.side.kind);
    $("pv-format").textContent = "· " + info.side.title;
    (info.side.checks || []).forEach(function (name) { CHECKS[name] = 1; });
    $("pv-show-checks-names").textContent = (info.side.checks || []).join(", ");
    Object.keys(info.side.limits || {}).forEach(function (choice) {
      $("pv-limits").querySelector('option[value="' + choice + '"]').textContent = info.side.limits[choice];
    });
    info.sets.forEach(function (s) { option($("pv-set"), s.id, s.title + " " + s.version); });
    info.learners.forEach(function (l) { option($("pv-learner"), l.id, l.display + " (" + l.id + ")"); });
    fillUnits();
    showControls();
    wire();
    listen();
    window.leadpackPreview = { relaunch: relaunch, session: function () { return session; }, writes: function () { return writes; } };
    return loadScripts(info.side.scripts).then(function () { return launch(""); });
  });
})();
