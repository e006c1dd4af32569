/* leadpack preview: what the strict SCORM APIs of both versions (each version's lms-api.js) share: the data model's
   shape over the live values (element patterns, groups, arrays, their counts and indexes) and the API object's
   plumbing (the panel hears every call; the three error methods; the panel's own view). Loaded before either. */
(function () {
  "use strict";

  /* cmi.interactions.0.id → cmi.interactions.n.id */
  function patternOf(name) { return name.replace(/\.(0|[1-9]\d*)(?=\.)/g, ".n"); }

  /* tables: { elements: pattern → "mode type", children: pattern → list, arrays: pattern → 1 }; model: the values
     the LMS launches with. `values` is the live data model (name → string), which the API changes. */
  window.PreviewScormModel = function (tables, model) {
    var values = {};
    Object.keys(model).forEach(function (k) { values[k] = String(model[k]); });

    function isGroup(pattern) {
      if (tables.children[pattern] || tables.arrays[pattern]) return true;
      for (var element in tables.elements) if (element.indexOf(pattern + ".") === 0) return true;
      return false;
    }

    function countOf(prefix) {
      var count = 0, start = prefix + ".";
      Object.keys(values).forEach(function (k) {
        if (k.indexOf(start) !== 0) return;
        var index = /^(\d+)\./.exec(k.slice(start.length));
        if (index) count = Math.max(count, +index[1] + 1);
      });
      return count;
    }

    /* Every array index in a name must exist; on a set, the last one may also be the next free slot. */
    function indexProblem(name, forSet) {
      var parts = name.split("."), prefix = parts[0], pattern = parts[0];
      for (var i = 1; i < parts.length; i++) {
        if (tables.arrays[pattern] && /^\d+$/.test(parts[i])) {
          var count = countOf(prefix), index = +parts[i];
          var lastIndex = !parts.slice(i + 1).some(function (p) { return /^\d+$/.test(p); });
          if (index > count || (index === count && !(forSet && lastIndex))) {
            return prefix + " has " + count + " entr" + (count === 1 ? "y" : "ies") + "; " + name +
              (forSet && lastIndex ? " must use index " + count + " or lower" : " does not exist");
          }
          pattern += ".n";
        } else {
          pattern += "." + parts[i];
        }
        prefix += "." + parts[i];
      }
      return "";
    }

    function modeOf(name) { var e = tables.elements[patternOf(name)]; return e ? e.split(" ")[0] : ""; }

    return { values: values, patternOf: patternOf, isGroup: isGroup, countOf: countOf, indexProblem: indexProblem,
      modeOf: modeOf };
  };

  /* The API object: `methods` maps method names to their bodies; `checks` names the three error methods (last
     error, error string, diagnostic), answered from `last()` ({ code, diagnostic }) and `errors` (code → text);
     `view` is the panel's (values, session, modeOf). hooks.onCall hears every call. */
  window.PreviewScormApi = function (hooks, methods, checks, errors, last, view) {
    var api = { preview: view };

    function logged(method, body) {
      return function (a, b) {
        var result = body(a, b), args = Array.prototype.slice.call(arguments, 0, body.length);
        hooks.onCall({ method: method, args: args, result: result, error: last().code,
          diagnostic: last().diagnostic, at: Date.now() });
        return result;
      };
    }

    Object.keys(methods).forEach(function (name) { api[name] = logged(name, methods[name]); });
    api[checks[0]] = logged(checks[0], function () { return last().code; });
    api[checks[1]] = logged(checks[1], function (code) { return errors[String(code)] || ""; });
    api[checks[2]] = logged(checks[2], function (code) {
      return code === undefined || code === "" || String(code) === last().code ? last().diagnostic :
        errors[String(code)] || "";
    });
    return api;
  };
})();
