/* leadpack preview: a strict SCORM 1.2 run-time API, the LMS side of the conversation.
   It enforces the SCORM 1.2 RTE (see shared/spec/scorm12-rte.md): the data model's elements and their
   read/write modes, vocabularies, data types (CMITimespan, CMITime, CMIDecimal, CMIIdentifier, CMIFeedback),
   the 255/4,096 limits, error codes 101/201/202/203/301/401/402/403/404/405, one LMSInitialize per session and
   no calls after LMSFinish. "Relaxed" limits follow Moodle's defaults instead: suspend_data up to 64,000
   characters and identifiers of any printable ASCII, with CMIFeedback not checked against the interaction type.
   "LMS refuses commits" makes LMSCommit and LMSFinish answer "false" with error 101 and store nothing; the session
   stays open, as it would when an LMS's server cannot be reached.
   new PreviewScorm12API(model, hooks): model maps element names to the values the LMS launches with;
   hooks.onCall(entry) hears every call, hooks.persist(values, final) stores a commit, hooks.controls() answers
   { refuseCommits, relaxed }. The data model's shape and the API's plumbing come from ../scorm-lms-api.js. */
(function () {
  "use strict";
  var ERRORS = {
    "0": "No error", "101": "General exception", "201": "Invalid argument error",
    "202": "Element cannot have children", "203": "Element not an array - cannot have count",
    "301": "Not initialized", "401": "Not implemented error", "402": "Invalid set value, element is a keyword",
    "403": "Element is read only", "404": "Element is write only", "405": "Incorrect data type"
  };
  var CHILDREN = {
    "cmi.core": "student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,lesson_mode," +
      "exit,session_time",
    "cmi.core.score": "raw,min,max",
    "cmi.objectives": "id,score,status",
    "cmi.objectives.n.score": "raw,min,max",
    "cmi.student_data": "mastery_score,max_time_allowed,time_limit_action",
    "cmi.student_preference": "audio,language,speed,text",
    "cmi.interactions": "id,objectives,time,type,correct_responses,weighting,student_response,result,latency"
  };
  var ARRAYS = { "cmi.objectives": 1, "cmi.interactions": 1, "cmi.interactions.n.objectives": 1,
    "cmi.interactions.n.correct_responses": 1 };
  /* element pattern → "mode type"; R elements come from the LMS. */
  var ELEMENTS = {
    "cmi._version": "R", "cmi.core.student_id": "R", "cmi.core.student_name": "R",
    "cmi.core.lesson_location": "RW string255", "cmi.core.credit": "R", "cmi.core.lesson_status": "RW status",
    "cmi.core.entry": "R", "cmi.core.score.raw": "RW score", "cmi.core.score.min": "RW score",
    "cmi.core.score.max": "RW score", "cmi.core.total_time": "R", "cmi.core.lesson_mode": "R",
    "cmi.core.exit": "W exit", "cmi.core.session_time": "W timespan", "cmi.suspend_data": "RW suspend",
    "cmi.launch_data": "R", "cmi.comments": "RW string4096", "cmi.comments_from_lms": "R",
    "cmi.objectives.n.id": "RW identifier", "cmi.objectives.n.score.raw": "RW score",
    "cmi.objectives.n.score.min": "RW score", "cmi.objectives.n.score.max": "RW score",
    "cmi.objectives.n.status": "RW objectiveStatus",
    "cmi.student_data.mastery_score": "R", "cmi.student_data.max_time_allowed": "R",
    "cmi.student_data.time_limit_action": "R",
    "cmi.student_preference.audio": "RW audio", "cmi.student_preference.language": "RW string255",
    "cmi.student_preference.speed": "RW speed", "cmi.student_preference.text": "RW text",
    "cmi.interactions.n.id": "W identifier", "cmi.interactions.n.objectives.n.id": "W identifier",
    "cmi.interactions.n.time": "W time", "cmi.interactions.n.type": "W interactionType",
    "cmi.interactions.n.correct_responses.n.pattern": "W feedback", "cmi.interactions.n.weighting": "W decimal",
    "cmi.interactions.n.student_response": "W feedback", "cmi.interactions.n.result": "W result",
    "cmi.interactions.n.latency": "W timespan"
  };
  var VOCABULARY = {
    status: ["passed", "completed", "failed", "incomplete", "browsed"],
    objectiveStatus: ["passed", "completed", "failed", "incomplete", "browsed", "not attempted"],
    exit: ["time-out", "suspend", "logout", ""],
    interactionType: ["true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert", "numeric"]
  };
  var RESULTS = ["correct", "wrong", "unanticipated", "neutral"];
  var RANGES = { audio: [-1, 100], speed: [-100, 100], text: [-1, 1] };
  var DECIMAL = /^-?\d{1,10}(\.\d{1,10})?$/;
  var FEEDBACK = {
    "true-false": /^[01tf]$/, choice: /^(\{?[0-9a-z](,[0-9a-z])*\}?)?$/, likert: /^[0-9a-z]?$/,
    matching: /^\{?[0-9a-z]\.[0-9a-z](,[0-9a-z]\.[0-9a-z])*\}?$/, sequencing: /^[0-9a-z](,[0-9a-z])*$/,
    numeric: DECIMAL
  };
  /* Names a SCO written for SCORM 2004 would use: "not implemented" here, with a hint. */
  var SCORM_2004 = /^(cmi\.(location|completion_status|success_status|progress_measure|score(\.scaled)?|learner_id|learner_name|mode|exit|session_time|total_time|credit|entry|completion_threshold|scaled_passing_score|max_time_allowed|time_limit_action|learner_preference(\..*)?|comments_from_learner(\..*)?)|adl\..*)$/;

  function timespanProblem(value) {
    var m = /^(\d{2,4}):(\d{2}):(\d{2})(\.\d{1,2})?$/.exec(value);
    if (!m) return "not a CMITimespan (HHHH:MM:SS.SS, 2 to 4 hour digits, e.g. 00:01:30.00)";
    if (+m[2] > 59 || +m[3] > 59) return "minutes and seconds must be below 60";
    return "";
  }

  function timeProblem(value) {
    var m = /^(\d{2}):(\d{2}):(\d{2})(\.\d{1,2})?$/.exec(value);
    if (!m || +m[1] > 23 || +m[2] > 59 || +m[3] > 59) return "not a CMITime (HH:MM:SS, a time of day)";
    return "";
  }

  window.PreviewScorm12API = function (model, hooks) {
    var shape = PreviewScormModel({ elements: ELEMENTS, children: CHILDREN, arrays: ARRAYS }, model);
    var values = shape.values, session = "not initialized", last = { code: "0", diagnostic: "" };

    function relaxed() { return !!hooks.controls().relaxed; }

    function ok() { last = { code: "0", diagnostic: "" }; }

    function fail(code, diagnostic) { last = { code: code, diagnostic: diagnostic || ERRORS[code] }; }

    function typeProblem(type, value, name) {
      if (type === "string255" && value.length > 255) return "longer than 255 characters (" + value.length + ")";
      if (type === "string4096" && value.length > 4096) return "longer than 4096 characters (" + value.length + ")";
      if (type === "suspend") {
        var limit = relaxed() ? 64000 : 4096;
        if (value.length > limit) return "suspend_data is " + value.length + " characters; the limit is " + limit;
        return "";
      }
      if (VOCABULARY[type] && VOCABULARY[type].indexOf(value) < 0) {
        return JSON.stringify(value) + " is not one of: " + VOCABULARY[type].map(function (v) {
          return v === "" ? '""' : v; }).join(", ") + (value === "not attempted" ? " (only the LMS sets it)" : "");
      }
      if (type === "identifier") {
        var pattern = relaxed() ? /^[\x21-\x7e]{1,255}$/ : /^[A-Za-z0-9_-]{1,255}$/;
        return pattern.test(value) ? "" : "not a CMIIdentifier (1 to 255 of " +
          (relaxed() ? "printable ASCII characters)" : "letters, digits, - and _; no spaces or periods)");
      }
      if (type === "score") {
        if (value === "") return "";
        if (!DECIMAL.test(value)) return "not a CMIDecimal";
        return +value < 0 || +value > 100 ? "scores must be between 0 and 100" : "";
      }
      if (type === "decimal") return DECIMAL.test(value) ? "" : "not a CMIDecimal";
      if (type === "timespan") return timespanProblem(value);
      if (type === "time") return timeProblem(value);
      if (type === "result") return RESULTS.indexOf(value) >= 0 || DECIMAL.test(value) ? "" :
        "not one of " + RESULTS.join(", ") + " or a decimal";
      if (RANGES[type]) {
        var range = RANGES[type];
        return /^-?\d+$/.test(value) && +value >= range[0] && +value <= range[1] ? "" :
          "must be a whole number from " + range[0] + " to " + range[1];
      }
      if (type === "feedback") {
        if (value.length > 255) return "longer than 255 characters (" + value.length + ")";
        var kind = values[name.replace(/\.(student_response|correct_responses\.\d+\.pattern)$/, ".type")];
        if (!relaxed() && FEEDBACK[kind] && !FEEDBACK[kind].test(value)) {
          return JSON.stringify(value) + " is not a valid " + kind + " response (see CMIFeedback)";
        }
      }
      return "";
    }

    /* Shared by Get and Set: 201/202/203/401 for names that are not elements, "" when the name is one. */
    function unknownName(name, pattern) {
      var keyword = /\.(_children|_count|_version)$/.exec(name);
      if (SCORM_2004.test(name)) return ["401", name + " is a SCORM 2004 element; this is a SCORM 1.2 LMS"];
      if (keyword) {
        var parent = shape.patternOf(name.slice(0, -keyword[0].length));
        if (keyword[1] === "_children" && !CHILDREN[parent]) {
          return ELEMENTS[parent] || shape.isGroup(parent) ? ["202", parent + " has no children"] :
            ["201", name + " is not a SCORM 1.2 element"];
        }
        if (keyword[1] === "_count" && !ARRAYS[parent]) {
          return ELEMENTS[parent] || shape.isGroup(parent) ? ["203", parent + " is not an array"] :
            ["201", name + " is not a SCORM 1.2 element"];
        }
        if (keyword[1] === "_version" && parent !== "cmi") return ["201", name + " is not a SCORM 1.2 element"];
        return null;
      }
      if (!ELEMENTS[pattern]) return ["201", JSON.stringify(name) + " is not a SCORM 1.2 data model element"];
      return null;
    }

    function running() {
      if (session === "finished") { fail("101", "the session has finished (LMSFinish); relaunch to start another"); return false; }
      if (session !== "running") { fail("301", "call LMSInitialize(\"\") first"); return false; }
      return true;
    }

    function getValue(name) {
      if (!running()) return "";
      if (typeof name !== "string" || !name) { fail("201", "LMSGetValue needs an element name"); return ""; }
      var pattern = shape.patternOf(name), unknown = unknownName(name, pattern);
      if (unknown) { fail(unknown[0], unknown[1]); return ""; }
      if (/\._children$/.test(name)) { ok(); return CHILDREN[shape.patternOf(name.slice(0, -10))]; }
      if (name === "cmi._version") { ok(); return values[name] || "3.4"; }
      var problem = shape.indexProblem(name, false);
      if (/\._count$/.test(name)) {
        if (problem) { fail("201", problem); return ""; }
        ok(); return String(shape.countOf(name.slice(0, -7)));
      }
      if (ELEMENTS[pattern].split(" ")[0].indexOf("R") < 0) {
        fail("404", name + " is write-only"); return "";
      }
      if (problem) { fail("201", problem); return ""; }
      ok();
      return values[name] === undefined ? "" : values[name];
    }

    function setValue(name, value) {
      if (!running()) return "false";
      if (typeof name !== "string" || !name) { fail("201", "LMSSetValue needs an element name"); return "false"; }
      var pattern = shape.patternOf(name), unknown = unknownName(name, pattern);
      if (/\.(_children|_count|_version)$/.test(name) && !SCORM_2004.test(name)) {
        if (unknown) fail("201", name + " is not a SCORM 1.2 element");
        else fail("402", name + " is a keyword: the LMS keeps it");
        return "false";
      }
      if (unknown) { fail(unknown[0], unknown[1]); return "false"; }
      var spec = ELEMENTS[pattern].split(" ");
      if (spec[0] === "R") { fail("403", name + " is read-only (the LMS sets it)"); return "false"; }
      value = value === undefined || value === null ? "" : String(value);
      var problem = shape.indexProblem(name, true);
      if (problem) { fail("201", problem); return "false"; }
      problem = typeProblem(spec[1], value, name);
      if (problem) { fail("405", name + ": " + problem); return "false"; }
      values[name] = value;
      ok();
      return "true";
    }

    function sessionCall(method, arg) {
      if (arg !== undefined && arg !== "") { fail("201", method + " takes an empty string argument"); return "false"; }
      if (method === "LMSInitialize") {
        if (session === "running") { fail("101", "LMSInitialize was already called in this session"); return "false"; }
        if (session === "finished") { fail("101", "the session has finished; relaunch to start another"); return "false"; }
        session = "running";
        ok();
        return "true";
      }
      if (!running()) return "false";
      if (hooks.controls().refuseCommits) {
        fail("101", "the LMS refused to store the data (preview control \"LMS refuses commits\")");
        return "false";
      }
      var final = method === "LMSFinish";
      hooks.persist(JSON.parse(JSON.stringify(values)), final);
      if (final) session = "finished";
      ok();
      return "true";
    }

    /* For the panel: not part of SCORM. */
    var view = {
      values: function () { return JSON.parse(JSON.stringify(values)); },
      session: function () { return session; },
      modeOf: shape.modeOf
    };
    var api = PreviewScormApi(hooks, {
      LMSInitialize: function (arg) { return sessionCall("LMSInitialize", arg); },
      LMSFinish: function (arg) { return sessionCall("LMSFinish", arg); },
      LMSCommit: function (arg) { return sessionCall("LMSCommit", arg); },
      LMSGetValue: function (name) { return getValue(name); },
      LMSSetValue: function (name, value) { return setValue(name, value); }
    }, ["LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"], ERRORS, function () { return last; }, view);
    return api;
  };
})();
