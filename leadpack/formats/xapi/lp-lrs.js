/* The LRS client every xAPI-based adapter shares (the Tin Can launch in lp-xapi.js, cmi5 in lp-cmi5.js), as
   LP.xapi: requests with the version header; an outbox in browser storage that delivers each statement exactly once
   (ids are made here, so a retry of a statement the LRS already holds is answered 204, or 409 if it differs, and is
   dropped either way); documents (State API, Agent Profile) written with ETag concurrency; progress rebuilt from the
   learner's statements and joined with the other copies of it; the learner the launch names and the statement
   every adapter fills in; and a Tracker of pages, answers and reflections around the statements each adapter makes.
   Every statement's context.language is the language the learner sees. */
(function () {
  "use strict";
  var VERBS = "http://adlnet.gov/expapi/verbs/";
  var STATE_ID = "leadpack-progress"; /* State API document: the encoded state, as in SCORM's suspend_data */
  var TYPES = { course: "http://adlnet.gov/expapi/activities/course",
    module: "http://adlnet.gov/expapi/activities/module", page: "http://activitystrea.ms/schema/1.0/page",
    interaction: "http://adlnet.gov/expapi/activities/cmi.interaction" };
  var IFIS = ["mbox", "mbox_sha1sum", "openid", "account"];
  var BATCH = 25;                  /* statements per POST */
  var KEEPALIVE_BYTES = 60000;     /* browsers allow 64 KB of keepalive bodies in flight per page */
  var REFLECTION_DELAY = 1500;     /* a reflection is sent once the learner pauses typing */
  var LAUNCH_TRIES = 3;            /* reads of saved progress at launch, 0.5 s then 1 s apart, before starting afresh */
  var CONFLICT_TRIES = 4;          /* writes of a document others keep changing, 0.25 s, 0.5 s, 0.75 s apart */
  var NO_API = { 404: 1, 405: 1, 501: 1 };

  function launchParameters() {
    var params = {};
    location.search.replace(/^\?/, "").split("&").forEach(function (pair) {
      if (!pair) return;
      var at = pair.indexOf("="), name = at < 0 ? pair : pair.slice(0, at);
      try { params[decodeURIComponent(name)] = decodeURIComponent(pair.slice(at + 1).replace(/\+/g, " ")); }
      catch (e) { /* a malformed parameter is ignored */ }
    });
    return params;
  }

  /* Pre-1.0 launchers send name/mbox as arrays: take the first value of each. */
  function normaliseActor(actor) {
    ["name"].concat(IFIS).forEach(function (k) { if (Array.isArray(actor[k])) actor[k] = actor[k][0]; });
    if (actor.account && !actor.account.homePage && actor.account.accountServiceHomePage) {
      actor.account = { homePage: actor.account.accountServiceHomePage, name: actor.account.accountName };
    }
    if (!actor.objectType) actor.objectType = "Agent";
    return actor;
  }

  /* The agent as the State API and statement queries take it: its identifier only, so a changed name still matches. */
  function identity(actor) {
    var agent = { objectType: "Agent" };
    IFIS.forEach(function (k) { if (actor[k]) agent[k] = actor[k]; });
    return agent;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function hash(text) {
    var h = 5381;
    for (var i = 0; i < text.length; i++) h = ((h * 33) ^ text.charCodeAt(i)) >>> 0;
    return h.toString(36);
  }

  /* A query string from the parameters that have a value. */
  function query(params) {
    return Object.keys(params).filter(function (k) { return params[k]; }).map(function (k) {
      return k + "=" + encodeURIComponent(params[k]);
    }).join("&");
  }

  function utf8Length(text) { return unescape(encodeURIComponent(text)).length; }

  function pause(ms) { return new Promise(function (resume) { setTimeout(resume, ms); }); }

  /* A launch's `read` tried up to LAUNCH_TRIES times, 0.5 s, 1 s ... apart: a blip at launch must not cost a learner
     their place. */
  function withRetries(read, done) {
    done = (done || 0) + 1;
    return read().catch(function (error) {
      if (done >= LAUNCH_TRIES) throw error;
      return pause(500 * done).then(function () { return withRetries(read, done); });
    });
  }

  /* Statements (and the latest state document) waiting for the LRS, kept in localStorage per learner, registration
     and course so that a closed tab or a crashed browser loses nothing. Never holds the endpoint or credentials. */
  function Outbox(store, key) {
    var box = { statements: [], state: null };
    try {
      var saved = JSON.parse(store && store.getItem(key));
      if (saved) { box.statements = saved.statements || []; box.state = saved.state || null; }
    } catch (e) { /* an unreadable outbox starts empty */ }
    box.save = function () {
      if (!store) return;
      try {
        if (box.statements.length || box.state !== null) {
          store.setItem(key, JSON.stringify({ statements: box.statements, state: box.state }));
        } else store.removeItem(key);
      } catch (e) { /* storage full: the statements stay in memory */ }
    };
    box.remove = function (sent) {
      var ids = {};
      sent.forEach(function (s) { ids[s.id] = true; });
      box.statements = box.statements.filter(function (s) { return !ids[s.id]; });
      box.save();
    };
    return box;
  }

  /* An answer the LRS should not have given, as the error a promise fails with. */
  function answered(r) { return new Error("LRS answered " + r.status); }

  /* Requests to one LRS (at the address the launch gives, `lrs`), each with the version header and the launch's
     Authorization (sent verbatim). */
  function Client(lrs, auth) {
    var base = lrs.replace(/\/?$/, "/"), client = {};
    client.request = function (method, url, body, headers, keepalive) {
      var sent = { "X-Experience-API-Version": "1.0.3" };
      for (var k in headers || {}) sent[k] = headers[k];
      if (auth) sent.Authorization = auth;
      if (body !== undefined) sent["Content-Type"] = "application/json";
      return fetch(/^https?:/.test(url) ? url : base + url, { method: method, headers: sent, body: body,
        keepalive: !!keepalive, credentials: "omit", cache: "no-store", mode: "cors" });
    };
    /* Every statement a query matches, following `more` links. */
    client.statements = function (search) {
      var list = [];
      function page(url) {
        return client.request("GET", url).then(function (r) {
          if (!r.ok) throw answered(r);
          return r.json();
        }).then(function (result) {
          list = list.concat(result.statements || []);
          return result.more ? page(new URL(result.more, base).href) : list;
        });
      }
      return page("statements?" + search);
    };
    return client;
  }

  /* A State API or Agent Profile document, written with the optimistic concurrency xAPI 2.0 requires and 1.0.3 lets
     an LRS require: the ETag read with it goes back as If-Match, a first write says If-None-Match: *. A 409 or 412
     means another writer got there first: their copy is read again, joined with ours by `reconcile(theirs, ours)`
     and written after a short pause. One write at a time; `etag` is undefined until the document has been read
     (or written), null while the LRS has none. */
  function Document(client, url, listUrl, reconcile) {
    var doc = { etag: undefined, text: null, supported: undefined, refused: 0 }, writing = null;

    /* A 404 is "no document yet" where the LRS has this API and "no such resource" where it has none (Ralph): the
       list of ids, which exists wherever the API does, tells the two apart. */
    function probe() {
      return client.request("GET", listUrl).then(function (r) {
        if (!r.ok && !NO_API[r.status]) throw answered(r);
        doc.supported = r.ok;
        return null;
      });
    }

    doc.read = function () {
      return client.request("GET", url).then(function (r) {
        if (r.status === 404) {
          doc.etag = doc.text = null;
          return doc.supported === undefined ? probe() : null;
        }
        if (!r.ok) throw answered(r);
        doc.supported = true;
        doc.etag = r.headers.get("ETag") || ""; /* "" when the LRS sends none, or its CORS settings hide it */
        return r.text().then(function (text) { doc.text = text; return text; });
      });
    };

    /* Resolves true once the LRS holds `text` (or has no such API), false when it should be tried again later. */
    function attempt(text, keepalive, tries) {
      if (doc.etag === undefined || doc.supported === undefined) {
        var known = doc.text;
        return doc.read().then(function (theirs) {
          return attempt(theirs === null || theirs === known ? text : reconcile(theirs, text), keepalive, tries);
        }, function () { doc.refused = 0; return false; });
      }
      if (doc.supported === false || text === doc.text) return Promise.resolve(true);
      var headers = doc.etag ? { "If-Match": doc.etag } : doc.etag === null ? { "If-None-Match": "*" } : {};
      /* Without a readable ETag, a merge (POST), which the LRS takes without one: `text` already holds theirs. */
      return client.request(doc.etag === "" ? "POST" : "PUT", url, text, headers, keepalive).then(function (r) {
        doc.refused = r.ok ? 0 : r.status;
        if (r.ok) {
          doc.etag = r.headers.get("ETag") || undefined; /* none: read it again before the next write */
          doc.text = text;
          return true;
        }
        if (r.status !== 409 && r.status !== 412) return false;
        doc.etag = undefined;
        if (tries >= CONFLICT_TRIES) return false;
        return pause(250 * tries).then(function () { return attempt(text, keepalive, tries + 1); });
      }, function () { doc.refused = 0; return false; });
    }

    doc.write = function (text, keepalive) {
      function run() { return attempt(text, keepalive, 1); }
      var result = writing ? writing.then(run) : run();
      writing = result;
      result.then(function () { if (writing === result) writing = null; });
      return result;
    };
    return doc;
  }

  /* Delivers the outbox: one request at a time, statements first (in the order they were made), then the latest
     document, retried with backoff. `status` hears "saving", "failed" (not yet saved: a retry is due) and "saved",
     which means the LRS confirmed everything and `busy()` has nothing else waiting either. */
  function Sender(client, outbox, doc, status, busy, refusals) {
    var sender = { errors: [] }, sending = false, failures = 0, retryTimer = null, shown = "";
    var never = Object.assign({ 400: 1, 409: 1, 413: 1 }, refusals);

    sender.report = function () {
      var waiting = outbox.statements.length || outbox.state !== null || busy();
      var kind = waiting ? (failures ? "failed" : "saving") : "saved";
      if (kind !== shown) { shown = kind; status(kind); }
    };

    function warn(message) {
      if (sender.errors[sender.errors.length - 1] === message) return;
      sender.errors.push(message);
      if (window.console) console.warn("leadpack: " + message);
    }

    /* 200 stored; 204 every one already stored. A refusal (400/409/413, and those the profile adds) for a batch is
       resolved one statement at a time: for one statement, 409 means a statement with that id is already stored and
       the others that it can never be. Other answers (401, 403, 404, 429, 5xx) and network errors keep the
       statements for a later try. */
    function post(batch, keepalive) {
      return client.request("POST", "statements", JSON.stringify(batch), null, keepalive).then(function (r) {
        if (r.ok) { outbox.remove(batch); return true; }
        if (never[r.status]) {
          if (batch.length > 1) return postEach(batch.slice(), keepalive);
          warn("statement " + batch[0].id + " not stored: the LRS answered " + r.status +
            (r.status === 409 ? " (it holds a different statement with this id)" : ""));
          outbox.remove(batch);
          return true;
        }
        return false;
      }, function () { return false; });
    }

    function postEach(batch, keepalive) {
      if (!batch.length) return Promise.resolve(true);
      return post([batch.shift()], keepalive).then(function (ok) { return ok && postEach(batch, keepalive); });
    }

    /* The document as it stands now; one kept while this write is under way goes out on the next turn. */
    function write(keepalive) {
      var text = outbox.state;
      return doc.write(text, keepalive).then(function (ok) {
        if (ok && outbox.state === text) { outbox.state = null; outbox.save(); }
        if (!ok && doc.refused) warn("progress document refused by the LRS: " + doc.refused + " (trying again)");
        return ok;
      });
    }

    function retryLater() {
      failures++;
      sender.report();
      clearTimeout(retryTimer);
      var delay = Math.min(30000, 1000 * Math.pow(2, failures - 1)); /* 1 s, 2 s, 4 s ... 30 s, with jitter */
      retryTimer = setTimeout(sender.deliver, delay * (0.8 + 0.4 * Math.random()));
    }

    sender.deliver = function () {
      clearTimeout(retryTimer);
      if (sending) return;
      if (doc.supported === false && outbox.state !== null) { outbox.state = null; outbox.save(); }
      if (!outbox.statements.length && outbox.state === null) { failures = 0; sender.report(); return; }
      sending = true;
      sender.report();
      var next = outbox.statements.length ? post(outbox.statements.slice(0, BATCH)) : write();
      next.then(function (ok) {
        sending = false;
        if (ok) { failures = 0; sender.deliver(); } else retryLater();
      });
    };

    sender.enqueue = function (statement) {
      outbox.statements.push(statement);
      outbox.save();
      sender.deliver();
    };

    /* The latest document replaces any still waiting; `later`: the caller flushes next. */
    sender.keep = function (text, later) {
      if (doc.supported === false) return;
      outbox.state = text;
      outbox.save();
      if (!later) sender.deliver();
    };

    /* pagehide or hidden: everything waiting goes out now with keepalive (as much as its 64 KB allow, in order), and
       stays in the outbox until the LRS confirms it; what does not fit waits for the next launch. */
    sender.flush = function () {
      var budget = KEEPALIVE_BYTES, chunks = [], chunk = [], sent = [];
      var state = doc.supported !== false && outbox.state !== null ? outbox.state : null;
      if (state !== null) budget -= utf8Length(state);
      outbox.statements.forEach(function (s) {
        var size = utf8Length(JSON.stringify(s)) + 1;
        if (size > budget) { budget = -1; return; }
        budget -= size;
        if (chunk.length === BATCH) { chunks.push(chunk); chunk = []; }
        chunk.push(s);
      });
      if (chunk.length) chunks.push(chunk);
      chunks.forEach(function (c) { sent.push(post(c, true)); });
      if (state !== null) sent.push(write(true));
      sender.report();
      Promise.all(sent).then(function (results) {
        if (results.every(Boolean)) { failures = 0; sender.report(); } else retryLater();
      });
    };
    return sender;
  }

  /* The course's pages, questions and reflections by IRI, for reading statements. */
  var byIri = {};
  ["page", "question", "reflection"].forEach(function (kind) {
    LP.data[kind + "s"].forEach(function (item) { byIri[item.iri] = { kind: kind, item: item }; });
  });

  /* The learner's statements (each once, in time order) replayed into their progress; null when they show none.
     Reflections count only where the course keeps them in the learner's record. */
  function replay(list, courseIri) {
    var state = LP.newState(), seen = {}, found = false, answeredTwice = {};
    list = list.filter(function (s) {
      if (seen[s.id]) return false;
      seen[s.id] = true;
      return true;
    }).map(function (s, i) { return { s: s, i: i, t: Date.parse(s.timestamp) || 0 }; })
      .sort(function (a, b) { return a.t - b.t || a.i - b.i; }); /* LRSs may rewrite the timestamp's format */
    list.forEach(function (entry) {
      var s = entry.s, verb = s.verb.id.replace(VERBS, ""), known = byIri[s.object.id], result = s.result || {};
      if (known && known.kind === "page" && verb === "experienced") {
        state.visited[known.item.key] = true;
        state.location = known.item.key;
      } else if (known && known.kind === "question" && verb === "answered" && result.response) {
        /* the latest answer counts (a retry answers again); more than one answer means the checks were retried */
        if (state.answers[known.item.key]) state.tries = Math.max(state.tries, (answeredTwice[known.item.key] =
          (answeredTwice[known.item.key] || 0) + 1));
        state.answers[known.item.key] = result.response.split("[,]").join("");
      } else if (known && known.kind === "reflection" && verb === "responded" && LP.data.storage === "lms") {
        state.reflections[known.item.key] = String(result.response || "");
      } else if (s.object.id === courseIri && /^(completed|passed|failed)$/.test(verb)) {
        if (state.done !== "p" && (verb !== "completed" || !state.done)) state.done = verb.charAt(0);
      } else return;
      found = true;
    });
    return found ? state : null;
  }

  /* Two copies of one learner's progress joined so that it only grows: pages seen on either side, the answers of
     the side further through its tries (on the same try, the first answer given to each question), the newer
     side's text for each reflection it holds and its bookmark, and the furthest finish (passed beats failed beats
     completed). Either may be null. The copies are an LRS's document, the learner's statements and a device's
     unsent outbox, which can each lag behind the others. */
  var FINISH_RANK = { "": 0, c: 1, f: 2, p: 3 };
  function mergeStates(older, newer) {
    if (!older || !newer) return older || newer || null;
    var merged = LP.newState(), k, tries = (newer.tries | 0) - (older.tries | 0);
    for (k in older.visited) merged.visited[k] = true;
    for (k in newer.visited) merged.visited[k] = true;
    /* a retry clears the wrong answers: the copy a try behind must not bring them back, whichever is newer */
    merged.answers = Object.assign({}, tries >= 0 ? newer.answers : {}, tries <= 0 ? older.answers : {});
    merged.tries = Math.max(older.tries | 0, newer.tries | 0);
    merged.reflections = Object.assign({}, older.reflections, newer.reflections);
    merged.kept = Object.assign({}, older.kept, newer.kept);
    merged.location = newer.location || older.location;
    merged.language = newer.language || older.language;
    merged.done = FINISH_RANK[newer.done || ""] > FINISH_RANK[older.done || ""] ? newer.done : older.done;
    return merged;
  }

  /* The learner a launch names (`actorJson`): the actor as statements carry it (null if unreadable), the agent
     (its identifier only), the id this device keeps their things under, and whether it names anyone at all. */
  function learner(actorJson) {
    var actor = null;
    try { actor = normaliseActor(JSON.parse(actorJson)); } catch (e) { actor = null; }
    var agent = identity(actor || {});
    return { actor: actor, agent: agent, id: hash(JSON.stringify(agent)), named: Object.keys(agent).length > 1 };
  }

  var NO_LEARNER = "The launch link names no learner (actor), so progress cannot be saved.";

  function ref(iri) { return { objectType: "Activity", id: iri }; }

  /* The grouping every statement has: the course (unless it is the statement's object), then the series. */
  function grouping(object, courseIri) {
    return (object.id === courseIri ? [] : [ref(courseIri)]).concat(ref(LP.data.series.iri));
  }

  /* A statement about `object` by `actor`, with the context the adapter built. */
  function statement(actor, verb, object, context, timestamp, result) {
    var s = { id: uuid(), actor: actor, verb: { id: VERBS + verb, display: { "en-US": verb } }, object: object,
      context: context, timestamp: timestamp };
    if (result) s.result = result;
    return s;
  }

  /* A knowledge-check score as a result gives it. */
  function score(result) { return { scaled: result.score / 100, raw: result.score, min: 0, max: 100 }; }

  /* What every xAPI-based adapter does alike, around the statements it makes (`o.statement(verb, object, result,
     parentIri)`): the outbox, the State API document "leadpack-progress" beside the course activity, resume, and
     the statements for pages, answers and reflections. `o`: client, agent, registration, courseIri, key (the
     outbox's prefix), statement, status (hears the save status), refusals (more answers meaning "never stored"). */
  function Tracker(o) {
    var d = LP.data, where = { activityId: o.courseIri, agent: JSON.stringify(o.agent), registration: o.registration };
    var track = { outboxKey: o.key + hash(where.agent + "|" + o.registration + "|" + o.courseIri),
      client: o.client, finished: false, readOnly: false }; /* readOnly: the progress is read, never written */
    var outbox = Outbox(LP.storage(), track.outboxKey);
    var doc = Document(o.client, "activities/state?" + query({ stateId: STATE_ID }) + "&" + query(where),
      "activities/state?" + query(where), reconcile);
    var live = null, withReflections = d.storage === "lms", reflectionTimers = {}, sentReflections = {};
    var edited = {}; /* the reflections this session changed: for the others, another writer's text is newer */
    var moduleIri = {};
    d.modules.forEach(function (m) { moduleIri[m.id] = m.iri; });
    var sender = Sender(o.client, outbox, doc, o.status, function () { return Object.keys(reflectionTimers).length > 0; },
      o.refusals);
    track.errors = sender.errors;
    track.report = sender.report;

    /* Another writer's copy of the document joined with this session's progress, which takes it in, so that later
       writes keep it too. */
    function reconcile(theirs, ours) {
      var other = LP.decodeState(theirs), merged = mergeStates(other, live || LP.decodeState(ours)), k;
      if (other) for (k in other.reflections) if (!edited[k]) merged.reflections[k] = other.reflections[k];
      if (live) for (k in merged) live[k] = merged[k];
      return LP.encodeState(merged, withReflections);
    }

    track.enqueue = function (s) { if (!track.finished) sender.enqueue(s); };

    track.stateChanged = function (state, later) {
      if (track.readOnly) return;
      live = state;
      sender.keep(LP.encodeState(state, withReflections), later);
    };

    function languageMap(text) { var map = {}; map[d.language] = text; return map; }
    track.languageMap = languageMap;

    track.activity = function (iri, kind, name, more) {
      var definition = { type: TYPES[kind], name: languageMap(name) };
      for (var k in more || {}) definition[k] = more[k];
      return { objectType: "Activity", id: iri, definition: definition };
    };

    function sendReflection(reflection, state) {
      clearTimeout(reflectionTimers[reflection.key]);
      delete reflectionTimers[reflection.key];
      var text = state.reflections[reflection.key] || "";
      if (text === (sentReflections[reflection.key] || "")) { sender.report(); return; }
      sentReflections[reflection.key] = text;
      var object = track.activity(reflection.iri, "interaction", reflection.prompt.slice(0, 250),
        { description: languageMap(reflection.prompt), interactionType: "long-fill-in" });
      track.enqueue(o.statement("responded", object, { response: text }, moduleIri[reflection.id.split("/")[0]]));
      track.stateChanged(state);
    }

    function sendPendingReflections(state) {
      d.reflections.forEach(function (r) { if (reflectionTimers[r.key]) sendReflection(r, state); });
    }

    /* Every copy of the learner's progress, joined: the LRS's document, this device's unsent one, and the
       statements (the LRS's and this device's unsent ones), which replayed in time order have the newest bookmark.
       So whichever copy lags behind, nothing is lost. If the LRS cannot be read after a few tries, the session
       starts from this device's copy (or afresh), and its first write reads and joins the document first. */
    track.load = function () {
      var local = outbox.state !== null ? LP.decodeState(outbox.state) : null;
      var search = query({ agent: where.agent, activity: o.courseIri, related_activities: "true",
        registration: o.registration });
      return withRetries(function () {
        return Promise.all([doc.read(), o.client.statements(search)]);
      }).then(function (found) {
        var saved = found[0] === null ? null : LP.decodeState(found[0]);
        return mergeStates(mergeStates(saved, local), replay(found[1].concat(outbox.statements), o.courseIri));
      }, function () {
        doc.etag = undefined;
        doc.text = null;
        return local;
      }).then(function (state) {
        if (state) sentReflections = JSON.parse(JSON.stringify(state.reflections));
        return state;
      });
    };

    track.pageViewed = function (page, state) {
      track.enqueue(o.statement("experienced", track.activity(page.iri, "page", page.title), null, moduleIri[page.module]));
      track.stateChanged(state);
    };

    track.answered = function (question, response, correct, latency, state) {
      var object = track.activity(question.iri, "interaction", question.text.slice(0, 250), {
        description: languageMap(question.text), interactionType: "choice",
        correctResponsesPattern: [question.correct.split("").join("[,]")],
        choices: Object.keys(question.options).map(function (k) {
          return { id: k, description: languageMap(question.options[k]) };
        })
      });
      track.enqueue(o.statement("answered", object, { response: response.split("").join("[,]"), success: correct,
        duration: LP.isoDuration(latency) }, moduleIri[question.module]));
      track.stateChanged(state);
    };

    /* Called for every keystroke: statements go out once the learner pauses, and only when the text changed. */
    track.reflected = function (reflection, state) {
      if (d.storage !== "lms" || track.finished) return;
      edited[reflection.key] = true;
      clearTimeout(reflectionTimers[reflection.key]);
      reflectionTimers[reflection.key] = setTimeout(function () { sendReflection(reflection, state); },
        REFLECTION_DELAY);
      sender.report();
    };

    track.flush = function (state) {
      if (state && !track.finished) { sendPendingReflections(state); track.stateChanged(state, true); }
      sender.flush();
    };

    /* The session's last statement (made by `last()` once pending reflections are out), then everything goes. */
    track.finish = function (state, last) {
      sendPendingReflections(state);
      if (last) { outbox.statements.push(last()); outbox.save(); }
      track.stateChanged(state, true);
      track.finished = true;
      sender.flush();
    };
    return track;
  }

  LP.xapi = { launchParameters: launchParameters, learner: learner, NO_LEARNER: NO_LEARNER, hash: hash, query: query,
    withRetries: withRetries, Client: Client, ref: ref, grouping: grouping, statement: statement,
    score: score, Tracker: Tracker };
})();
