/* leadpack preview: a strict SCORM 2004 4th Edition run-time API (API_1484_11), the LMS side of the conversation.
   It enforces the RTE as shared/spec/scorm2004-4th.md digests it: session states (not initialized → running →
   terminated) with their error codes, the data model's elements and modes, vocabularies, data types (real(10,7),
   timeinterval, time, localized strings, language codes, identifiers), the SPM lengths, array order, write-once
   and unique ids, dependencies (id first, type before responses), responses checked per interaction type, and the
   LMS's own judgement of completion and success when the launch has a completion_threshold or a
   scaled_passing_score (§4: on GetValue and in what it stores). An element the model leaves out has no value yet
   (GetValue: 403). "Relaxed" limits keep strings of any length, as an LMS that stores more than the SPM would,
   and take any URI as a short identifier in responses (strict: Moodle's letters, digits, "_", "." and "-").
   "LMS refuses commits" makes Commit and Terminate answer "false" with error 391 and store nothing; the session
   stays open. After a Terminate that left adl.nav.request set, the LMS page acts on it.
   new PreviewScorm2004API(model, hooks): hooks as for PreviewScorm12API (onCall, persist, controls), plus
   navigable(request) (is there a unit to "continue" or go "previous" to?) and navigate(request). The data
   model's shape and the API's plumbing come from ../scorm-lms-api.js. */
(function () {
  "use strict";
  var ERRORS = {
    "0": "No Error", "101": "General Exception", "102": "General Initialization Failure",
    "103": "Already Initialized", "104": "Content Instance Terminated", "111": "General Termination Failure",
    "112": "Termination Before Initialization", "113": "Termination After Termination",
    "122": "Retrieve Data Before Initialization", "123": "Retrieve Data After Termination",
    "132": "Store Data Before Initialization", "133": "Store Data After Termination",
    "142": "Commit Before Initialization", "143": "Commit After Termination", "201": "General Argument Error",
    "301": "General Get Failure", "351": "General Set Failure", "391": "General Commit Failure",
    "401": "Undefined Data Model Element", "402": "Unimplemented Data Model Element",
    "403": "Data Model Element Value Not Initialized", "404": "Data Model Element Is Read Only",
    "405": "Data Model Element Is Write Only", "406": "Data Model Element Type Mismatch",
    "407": "Data Model Element Value Out Of Range", "408": "Data Model Dependency Not Established"
  };
  /* [before Initialize, after Terminate] for each method that needs a running session. */
  var STATE_ERRORS = { Terminate: ["112", "113"], GetValue: ["122", "123"], SetValue: ["132", "133"],
    Commit: ["142", "143"] };
  var SCORE = "scaled,raw,min,max";
  var CHILDREN = {
    "cmi.comments_from_learner": "comment,location,timestamp", "cmi.comments_from_lms": "comment,location,timestamp",
    "cmi.interactions": "id,type,objectives,timestamp,correct_responses,weighting,learner_response,result," +
      "latency,description",
    "cmi.learner_preference": "audio_level,language,delivery_speed,audio_captioning",
    "cmi.objectives": "id,score,success_status,completion_status,progress_measure,description",
    "cmi.objectives.n.score": SCORE, "cmi.score": SCORE
  };
  var ARRAYS = { "cmi.comments_from_learner": 1, "cmi.comments_from_lms": 1, "cmi.interactions": 1,
    "cmi.interactions.n.objectives": 1, "cmi.interactions.n.correct_responses": 1, "cmi.objectives": 1 };
  /* element pattern → "mode type"; R elements come from the LMS. */
  var ELEMENTS = {
    "cmi._version": "R", "cmi.comments_from_learner.n.comment": "RW localized4000",
    "cmi.comments_from_learner.n.location": "RW string250", "cmi.comments_from_learner.n.timestamp": "RW time",
    "cmi.comments_from_lms.n.comment": "R", "cmi.comments_from_lms.n.location": "R",
    "cmi.comments_from_lms.n.timestamp": "R", "cmi.completion_status": "RW completion",
    "cmi.completion_threshold": "R", "cmi.credit": "R", "cmi.entry": "R", "cmi.exit": "W exit",
    "cmi.interactions.n.id": "RW id", "cmi.interactions.n.type": "RW interactionType",
    "cmi.interactions.n.objectives.n.id": "RW id", "cmi.interactions.n.timestamp": "RW time",
    "cmi.interactions.n.correct_responses.n.pattern": "RW pattern", "cmi.interactions.n.weighting": "RW real",
    "cmi.interactions.n.learner_response": "RW response", "cmi.interactions.n.result": "RW result",
    "cmi.interactions.n.latency": "RW interval", "cmi.interactions.n.description": "RW localized250",
    "cmi.launch_data": "R", "cmi.learner_id": "R", "cmi.learner_name": "R",
    "cmi.learner_preference.audio_level": "RW level", "cmi.learner_preference.language": "RW language",
    "cmi.learner_preference.delivery_speed": "RW level", "cmi.learner_preference.audio_captioning": "RW captioning",
    "cmi.location": "RW string1000", "cmi.max_time_allowed": "R", "cmi.mode": "R",
    "cmi.objectives.n.id": "RW id", "cmi.objectives.n.score.scaled": "RW scaled",
    "cmi.objectives.n.score.raw": "RW real", "cmi.objectives.n.score.min": "RW real",
    "cmi.objectives.n.score.max": "RW real", "cmi.objectives.n.success_status": "RW success",
    "cmi.objectives.n.completion_status": "RW completion", "cmi.objectives.n.progress_measure": "RW measure",
    "cmi.objectives.n.description": "RW localized250", "cmi.progress_measure": "RW measure",
    "cmi.scaled_passing_score": "R", "cmi.score.scaled": "RW scaled", "cmi.score.raw": "RW real",
    "cmi.score.min": "RW real", "cmi.score.max": "RW real", "cmi.session_time": "W interval",
    "cmi.success_status": "RW success", "cmi.suspend_data": "RW string64000", "cmi.time_limit_action": "R",
    "cmi.total_time": "R", "adl.nav.request": "RW navRequest"
  };
  var VOCABULARY = {
    completion: ["completed", "incomplete", "not attempted", "unknown"], success: ["passed", "failed", "unknown"],
    exit: ["time-out", "suspend", "logout", "normal", ""], captioning: ["-1", "0", "1"],
    interactionType: ["true-false", "choice", "fill-in", "long-fill-in", "likert", "matching", "performance",
      "sequencing", "numeric", "other"],
    navRequest: ["continue", "previous", "exit", "exitAll", "abandon", "abandonAll", "suspendAll", "_none_"]
  };
  var RESULTS = ["correct", "incorrect", "unanticipated", "neutral"];
  var RANGES = { scaled: [-1, 1], measure: [0, 1], level: [0, Infinity] };
  var REAL = /^-?\d{1,10}(\.\d{1,7})?$/; /* real(10,7) */
  var INTERVAL = /^P(\d+Y)?(\d+M)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?)?$/;
  /* YYYY[-MM[-DD[Thh[:mm[:ss[.s[TZD]]]]]]]: a zone only after a fraction */
  var TIME = /^(\d{4})(-(\d\d)(-(\d\d)(T(\d\d)(:(\d\d)(:(\d\d)(\.\d{1,2}(Z|[+-]\d\d(:\d\d)?)?)?)?)?)?)?)?$/;
  var LANGUAGE = /^([a-zA-Z]{2,3}|[iIxX])(-[a-zA-Z0-9]{2,8})*$/;
  /* Short identifiers (choices, steps): strict as Moodle checks them; relaxed, any URI as ADL allows. */
  var SHORT_ID = /^[\w.-]{1,250}$/, ANY_SHORT_ID = /^[^\s[\]]{1,250}$/;
  var URN = /^urn:/i, GOOD_URN = /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$/i;
  /* The most correct_responses patterns an interaction type takes (else 5). */
  var PATTERNS = { "true-false": 1, likert: 1, numeric: 1, other: 1, choice: 10 };
  /* Patterns may start with these, per interaction type. */
  var PATTERN_FLAGS = { "fill-in": /^\{(case_matters|order_matters)=(true|false)\}/,
    "long-fill-in": /^\{case_matters=(true|false)\}/, performance: /^\{order_matters=(true|false)\}/ };
  /* SCORM 1.2 names a SCO ported from 1.2 may still use, with what 2004 calls them. */
  var SCORM_12 = { "cmi.core.lesson_location": "cmi.location",
    "cmi.core.lesson_status": "cmi.completion_status and cmi.success_status", "cmi.core.student_id": "cmi.learner_id",
    "cmi.core.student_name": "cmi.learner_name", "cmi.core.lesson_mode": "cmi.mode",
    "cmi.student_data.mastery_score": "cmi.scaled_passing_score", "cmi.comments": "cmi.comments_from_learner",
    "cmi.student_preference.audio": "cmi.learner_preference.audio_level",
    "cmi.student_preference.speed": "cmi.learner_preference.delivery_speed",
    "cmi.student_preference.text": "cmi.learner_preference.audio_captioning",
    "cmi.student_preference.language": "cmi.learner_preference.language",
    "cmi.interactions.n.student_response": "cmi.interactions.n.learner_response",
    "cmi.interactions.n.time": "cmi.interactions.n.timestamp",
    "cmi.objectives.n.status": "cmi.objectives.n.success_status and completion_status" };

  function scorm12Hint(pattern) {
    var renamed = SCORM_12[pattern] || pattern.replace(/^cmi\.(core|student_data)\./, "cmi.");
    return renamed !== pattern && (SCORM_12[pattern] || ELEMENTS[renamed]) ?
      pattern + " is a SCORM 1.2 element; this is a SCORM 2004 LMS: use " + renamed : "";
  }

  function intervalProblem(value) {
    return INTERVAL.test(value) && !/[PT]$/.test(value) ? "" :
      "not a timeinterval (ISO 8601 duration with at least one value, e.g. PT1M30.5S)";
  }

  function timeProblem(value) {
    var m = TIME.exec(value);
    if (!m) return "not a time (YYYY-MM-DDThh:mm:ss.ss, a zone only after a fraction, e.g. 2024-05-01T10:00:00.5Z)";
    if (+m[1] < 1970 || +m[1] > 2038) return "the year must be from 1970 to 2038";
    if (m[3] && (+m[3] < 1 || +m[3] > 12) || m[5] && (+m[5] < 1 || +m[5] > 31) || +m[7] > 23 || +m[9] > 59 ||
        +m[11] > 59) return "not a date and time that exists";
    return "";
  }

  /* A localized string: an optional {lang=code} then text of at most `limit` characters. */
  function localizedProblem(value, limit) {
    var tag = /^\{lang=([^}]*)\}/.exec(value);
    if (tag && !LANGUAGE.test(tag[1])) return JSON.stringify(tag[1]) + " is not a language code";
    var text = tag ? value.slice(tag[0].length) : value;
    return limit && text.length > limit ? "longer than " + limit + " characters (" + text.length + ")" : "";
  }

  function longIdProblem(value) {
    if (!/^\S{1,4000}$/.test(value)) return "not a long identifier (a URI of 1 to 4000 characters, no spaces)";
    return URN.test(value) && !GOOD_URN.test(value) ? "not a URN (urn:NID:NSS, NID 1 to 32 of letters, digits, -)" : "";
  }

  function shortIdProblem(value, id) {
    return id.test(value) ? "" : JSON.stringify(value) + " is not a short identifier" +
      (id === SHORT_ID ? " (letters, digits, _ . -; several are joined by [,])" : "");
  }

  function shortIds(items, most, unique, id) {
    if (items.length > most) return "more than " + most + " identifiers";
    for (var i = 0; i < items.length; i++) {
      if (!id.test(items[i])) return shortIdProblem(items[i], id);
      if (unique && items.indexOf(items[i]) !== i) return JSON.stringify(items[i]) + " is repeated";
    }
    return "";
  }

  function records(items, most, check) {
    if (items.length > most) return "more than " + most + " entries";
    for (var i = 0; i < items.length; i++) {
      var pair = items[i].split("[.]"), problem = pair.length === 2 ? check(pair[0], pair[1]) : "needs one [.]";
      if (problem) return JSON.stringify(items[i]) + ": " + problem;
    }
    return "";
  }

  function strings(items, most, limit) {
    if (items.length > most) return "more than " + most + " strings";
    for (var i = 0; i < items.length; i++) {
      var problem = localizedProblem(items[i], limit);
      if (problem) return problem;
    }
    return "";
  }

  function numericRange(value) {
    var ends = value.split("[:]");
    if (ends.length > 2 || ends.some(function (end) { return end !== "" && !REAL.test(end); })) {
      return "not a numeric range (min[:]max of reals, either may be empty)";
    }
    return ends.length === 2 && ends[0] !== "" && ends[1] !== "" && +ends[0] > +ends[1] ? "min is above max" : "";
  }

  /* A learner_response (or, `pattern`, a correct_responses pattern) in the format of the interaction's type;
     `id` is the short identifier pattern. */
  function responseProblem(kind, value, pattern, id) {
    var flag = pattern && PATTERN_FLAGS[kind];
    while (flag && flag.test(value)) value = value.replace(flag, "");
    var items = value === "" ? [] : value.split("[,]");
    switch (kind) {
      case "true-false": return value === "true" || value === "false" ? "" : 'must be "true" or "false"';
      case "choice": return shortIds(items, 36, true, id);
      case "sequencing": return shortIds(items, 36, false, id);
      case "likert": return shortIdProblem(value, id);
      case "matching": return records(items, 36, function (source, target) {
        return id.test(source) && id.test(target) ? "" : "source and target must be short identifiers";
      });
      case "performance": return records(items, 250, function (step, answer) {
        return (step === "" || id.test(step)) && (step !== "" || answer !== "") && answer.length <= 250 ? "" :
          "a step name (short identifier) and an answer (at most 250 characters), not both empty";
      });
      case "fill-in": return strings(items, 10, 250);
      case "long-fill-in": return localizedProblem(value, 4000);
      case "numeric": return pattern ? numericRange(value) : REAL.test(value) ? "" : "not a real number";
      default: return value.length > 4000 ? "longer than 4000 characters" : "";
    }
  }

  function vocabularyProblem(type, value) {
    if (VOCABULARY[type].indexOf(value) >= 0) return "";
    if (type === "navRequest" && /^\{target=[^\s}]+\}(choice|jump)$/.test(value)) return "";
    return JSON.stringify(value) + " is not one of: " + VOCABULARY[type].map(function (v) {
      return v === "" ? '""' : v; }).join(", ") + (type === "navRequest" ? ", {target=ID}choice, {target=ID}jump" : "");
  }

  /* Checks of one value alone, by type (lengths, reals and responses are handled apart). */
  var FORMATS = {
    interval: intervalProblem, time: timeProblem, id: longIdProblem,
    language: function (value) {
      return value === "" || value.length <= 250 && LANGUAGE.test(value) ? "" :
        JSON.stringify(value) + " is not a language code";
    },
    result: function (value) {
      return RESULTS.indexOf(value) >= 0 || REAL.test(value) ? "" :
        JSON.stringify(value) + " is not one of " + RESULTS.join(", ") + " or a real number";
    }
  };

  window.PreviewScorm2004API = function (model, hooks) {
    var shape = PreviewScormModel({ elements: ELEMENTS, children: CHILDREN, arrays: ARRAYS }, model);
    var values = shape.values, session = "not initialized", last = { code: "0", diagnostic: "" };

    function relaxed() { return !!hooks.controls().relaxed; }

    function ok(answer) { last = { code: "0", diagnostic: "" }; return answer; }

    /* Sets the error and gives back what the call answers. */
    function refuse(code, diagnostic, answer) {
      last = { code: code, diagnostic: diagnostic || ERRORS[code] };
      return answer;
    }

    function interactionOf(name) { return name.split(".").slice(0, 3).join("."); }

    /* [code, message] for a value the element's type refuses, or null. */
    function typeProblem(type, value, name) {
      var sized = /^(string|localized)(\d+)$/.exec(type), limit = sized && !relaxed() ? +sized[2] : 0, problem = "";
      if (sized && sized[1] === "string") {
        problem = limit && value.length > limit ? "longer than " + limit + " characters (" + value.length + ")" : "";
      } else if (sized) {
        problem = localizedProblem(value, limit);
      } else if (type === "real" || RANGES[type]) {
        var range = RANGES[type];
        if (!REAL.test(value)) return ["406", "not a real(10,7) number"];
        if (range && (+value < range[0] || +value > range[1])) {
          return ["407", value + " is out of range (" + range[0] + " to " +
            (range[1] === Infinity ? "any" : range[1]) + ")"];
        }
      } else if (VOCABULARY[type]) {
        problem = vocabularyProblem(type, value);
      } else if (FORMATS[type]) {
        problem = FORMATS[type](value);
      } else if (type === "response" || type === "pattern") {
        var kind = values[interactionOf(name) + ".type"];
        problem = responseProblem(kind, value, type === "pattern", relaxed() ? ANY_SHORT_ID : SHORT_ID);
        if (problem) problem += " (a " + kind + " " + (type === "pattern" ? "pattern" : "response") + ")";
      }
      return problem ? ["406", problem] : null;
    }

    /* Ids: write-once, and unique among objectives (interactions may repeat one: journaling). */
    function idReuseProblem(name, pattern, value) {
      if (values[name] !== undefined && values[name] !== value) {
        return ["351", name + " is " + JSON.stringify(values[name]) + " already; an id cannot be rewritten"];
      }
      var array = name.replace(/\.\d+\.id$/, ""), count = shape.countOf(array);
      for (var i = 0; pattern !== "cmi.interactions.n.id" && i < count; i++) {
        if (array + "." + i + ".id" !== name && values[array + "." + i + ".id"] === value) {
          return ["351", JSON.stringify(value) + " is already the id of " + array + "." + i];
        }
      }
      return null;
    }

    /* 408 (what must be set first) and 351 (ids; too many patterns) before the value's own type is checked. */
    function orderProblem(name, pattern, value) {
      var entry = /^cmi\.(interactions|objectives)\.\d+/.exec(name);
      if (entry && name !== entry[0] + ".id" && values[entry[0] + ".id"] === undefined) {
        return ["408", "set " + entry[0] + ".id before " + name];
      }
      if (/^cmi\.interactions\.n\.(learner_response|correct_responses\.n\.pattern)$/.test(pattern) &&
          values[interactionOf(name) + ".type"] === undefined) {
        return ["408", "set " + interactionOf(name) + ".type before " + name];
      }
      if (/\.n\.id$/.test(pattern)) return idReuseProblem(name, pattern, value);
      var responses = /^(cmi\.interactions\.\d+)\.correct_responses\.(\d+)\.pattern$/.exec(name);
      if (responses) {
        var kind = values[responses[1] + ".type"], most = PATTERNS[kind] || 5;
        if (+responses[2] >= most) return ["351", "a " + kind + " interaction takes at most " + most + " pattern(s)"];
      }
      return null;
    }

    /* The LMS's own judgement (spec §4): a threshold or passing score in the launch overrides what the SCO said. */
    function judged(name) {
      var threshold = values["cmi.completion_threshold"], passing = values["cmi.scaled_passing_score"];
      if (name === "cmi.completion_status" && threshold !== undefined) {
        var measure = values["cmi.progress_measure"];
        return measure === undefined ? "unknown" : +measure >= +threshold ? "completed" : "incomplete";
      }
      if (name === "cmi.success_status" && passing !== undefined) {
        var scaled = values["cmi.score.scaled"];
        return scaled === undefined ? "unknown" : +scaled >= +passing ? "passed" : "failed";
      }
      return values[name];
    }

    /* What the LMS stores: the values, with its own judgement of completion and success. */
    function recorded() {
      var copy = JSON.parse(JSON.stringify(values));
      ["cmi.completion_status", "cmi.success_status"].forEach(function (name) {
        if (judged(name) !== undefined) copy[name] = judged(name);
      });
      return copy;
    }

    function running(method) {
      if (session === "running") return true;
      var codes = STATE_ERRORS[method];
      return session === "terminated" ?
        refuse(codes[1], method + " after Terminate: relaunch to start another session", false) :
        refuse(codes[0], method + " before Initialize: call Initialize(\"\") first", false);
    }

    /* Names that are not elements: [code, message], or null when the name is one. */
    function unknownName(name, pattern) {
      var keyword = /\.(_children|_count|_version)$/.exec(name), hint = scorm12Hint(pattern);
      if (hint) return ["401", hint];
      if (keyword && name !== "cmi._version") {
        var parent = shape.patternOf(name.slice(0, -keyword[0].length));
        return keyword[1] === "_version" || !ELEMENTS[parent] && !shape.isGroup(parent) ?
          ["401", name + " is not a SCORM 2004 element"] : null;
      }
      if (/^adl\.nav\.request_valid\.((continue|previous)|(choice|jump)\.\{target=[^\s}]+\})$/.test(name)) return null;
      return ELEMENTS[pattern] ? null : ["401", JSON.stringify(name) + " is not a SCORM 2004 data model element"];
    }

    function keywordValue(name, keyword) {
      var parent = shape.patternOf(name.slice(0, -keyword.length - 1));
      if (keyword === "_children") {
        return CHILDREN[parent] ? ok(CHILDREN[parent]) : refuse("301", parent + " has no children", "");
      }
      var problem = shape.indexProblem(name, false);
      if (problem) return refuse("301", problem, "");
      return ARRAYS[parent] ? ok(String(shape.countOf(name.slice(0, -7)))) :
        refuse("301", parent + " is not an array: it has no _count", "");
    }

    function getValue(name) {
      if (!running("GetValue")) return "";
      if (typeof name !== "string" || !name) return refuse("301", "GetValue needs an element name", "");
      var pattern = shape.patternOf(name), unknown = unknownName(name, pattern);
      if (unknown) return refuse(unknown[0], unknown[1], "");
      var request = /^adl\.nav\.request_valid\.(\w+)/.exec(name), keyword = /\.(_children|_count)$/.exec(name);
      if (request) {
        return ok(request[1] === "continue" || request[1] === "previous" ?
          String(!!(hooks.navigable && hooks.navigable(request[1]))) : "unknown");
      }
      if (keyword) return keywordValue(name, keyword[1]);
      var problem = shape.indexProblem(name, false), value = judged(name);
      if (problem) return refuse("301", problem, "");
      if (ELEMENTS[pattern].split(" ")[0] === "W") return refuse("405", name + " is write-only", "");
      return value === undefined ? refuse("403", name + " has no value yet (it has never been set)", "") : ok(value);
    }

    function setValue(name, value) {
      if (!running("SetValue")) return "false";
      if (typeof name !== "string" || !name) return refuse("351", "SetValue needs an element name", "false");
      var pattern = shape.patternOf(name), unknown = unknownName(name, pattern);
      if (unknown) return refuse(unknown[0], unknown[1], "false");
      if (/\.(_children|_count|_version)$/.test(name) || /^adl\.nav\.request_valid\./.test(name) ||
          ELEMENTS[pattern].split(" ")[0] === "R") {
        return refuse("404", name + " is read-only (the LMS sets it)", "false");
      }
      value = value === undefined || value === null ? "" : String(value);
      var problem = shape.indexProblem(name, true);
      if (problem) return refuse("351", problem, "false");
      var refused = orderProblem(name, pattern, value) || typeProblem(ELEMENTS[pattern].split(" ")[1], value, name);
      if (refused) return refuse(refused[0], name + ": " + refused[1], "false");
      values[name] = value;
      return ok("true");
    }

    /* Commit, or Terminate (`final`): store what the LMS records; after Terminate, act on adl.nav.request. */
    function store(method, arg, final) {
      if (!running(method)) return "false";
      if (arg !== undefined && arg !== "") return refuse("201", method + " takes an empty string argument", "false");
      if (hooks.controls().refuseCommits) {
        return refuse("391", "the LMS refused to store the data (preview control \"LMS refuses commits\")", "false");
      }
      hooks.persist(recorded(), final);
      if (!final) return ok("true");
      session = "terminated";
      var request = values["adl.nav.request"];
      if (request && request !== "_none_" && hooks.navigate) setTimeout(function () { hooks.navigate(request); }, 0);
      return ok("true");
    }

    function initialize(arg) {
      if (session === "running") return refuse("103", "Initialize was already called in this session", "false");
      if (session === "terminated") {
        return refuse("104", "the session has terminated; relaunch to start another", "false");
      }
      if (arg !== undefined && arg !== "") return refuse("201", "Initialize takes an empty string argument", "false");
      session = "running";
      return ok("true");
    }

    /* For the panel: not part of SCORM. */
    var view = { values: recorded, session: function () { return session; }, modeOf: shape.modeOf };
    var api = PreviewScormApi(hooks, {
      Initialize: function (arg) { return initialize(arg); },
      Terminate: function (arg) { return store("Terminate", arg, true); },
      Commit: function (arg) { return store("Commit", arg, false); },
      GetValue: function (name) { return getValue(name); },
      SetValue: function (name, value) { return setValue(name, value); }
    }, ["GetLastError", "GetErrorString", "GetDiagnostic"], ERRORS, function () { return last; }, view);
    return api;
  };
})();
