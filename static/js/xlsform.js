// The ODK expression language of our XLSForms in the browser: the twin of questionnaires/expressions.py (read its
// docstring for the grammar and semantics), the same recursive-descent parser line by line, checked against the same
// corpus (questionnaires/conformance.json) in Chromium. Plain JS, no build, no eval (the CSP forbids it).
(function (root) {
  "use strict";

  var ARITY = {
    "selected": [2, 2], "count-selected": [1, 1], "selected-at": [2, 2], "jr:choice-name": [2, 2],
    "string-length": [1, 1], "concat": [0, null], "if": [3, 3], "true": [0, 0], "false": [0, 0], "not": [1, 1],
    "number": [1, 1], "int": [1, 1], "round": [1, 2], "string": [1, 1], "today": [0, 0], "now": [0, 0],
    "coalesce": [2, 2], "regex": [2, 2], "contains": [2, 2], "starts-with": [2, 2], "ends-with": [2, 2],
    "substr": [2, 3], "count": [1, 1], "sum": [1, 1], "date": [1, 1]
  };
  var KEYWORDS = { "and": 1, "or": 1, "div": 1, "mod": 1 };
  var NUMBER = /^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/;
  var DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
  var TOKEN = /\s*(?:(\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\})|(\d+(?:\.\d*)?|\.\d+)|('[^']*'|"[^"]*")|(<=|>=|!=|[=<>+\-*(),.])|([A-Za-z_][A-Za-z0-9_\-]*(?::[A-Za-z_][A-Za-z0-9_\-]*)?))/y;

  function ExpressionError(message) { this.name = "ExpressionError"; this.message = message; }
  ExpressionError.prototype = Object.create(Error.prototype);

  // ---- parsing ------------------------------------------------------------------------------------------------
  function tokenize(text) {
    var tokens = [], position = 0;
    text = text || "";
    while (position < text.length) {
      if (text.slice(position).trim() === "") break;
      TOKEN.lastIndex = position;
      var m = TOKEN.exec(text);
      if (!m || TOKEN.lastIndex === position) throw new ExpressionError("无法识别“" + text.slice(position).trim().slice(0, 20) + "”");
      position = TOKEN.lastIndex;
      if (m[1]) tokens.push(["ref", m[2]]);
      else if (m[3]) tokens.push(["num", m[3]]);
      else if (m[4]) tokens.push(["str", m[4].slice(1, -1)]);
      else if (m[5]) tokens.push(["op", m[5]]);
      else tokens.push(KEYWORDS[m[6]] ? ["op", m[6]] : ["name", m[6]]);
    }
    return tokens;
  }

  var LEVELS = [["or"], ["and"], ["=", "!="], ["<", "<=", ">", ">="], ["+", "-"], ["*", "div", "mod"]];

  function Parser(text) { this.tokens = tokenize(text); this.at = 0; }
  Parser.prototype.peek = function () { return this.at < this.tokens.length ? this.tokens[this.at] : null; };
  Parser.prototype.takeOp = function (ops) {
    var t = this.peek();
    if (t && t[0] === "op" && ops.indexOf(t[1]) >= 0) { this.at += 1; return t[1]; }
    return null;
  };
  Parser.prototype.expect = function (op) {
    if (!this.takeOp([op])) {
      var t = this.peek();
      throw new ExpressionError("此处应为“" + op + "”,实际是“" + (t ? t[1] : "表达式结尾") + "”");
    }
  };
  Parser.prototype.parse = function () {
    if (!this.tokens.length) throw new ExpressionError("表达式为空");
    var node = this.binary(0);
    if (this.peek() !== null) throw new ExpressionError("多余的“" + this.peek()[1] + "”");
    return node;
  };
  Parser.prototype.binary = function (level) {
    if (level === LEVELS.length) return this.unary();
    var node = this.binary(level + 1), op;
    while ((op = this.takeOp(LEVELS[level])) !== null) node = ["bin", op, node, this.binary(level + 1)];
    return node;
  };
  Parser.prototype.unary = function () {
    if (this.takeOp(["-"])) return ["neg", this.unary()];
    return this.primary();
  };
  Parser.prototype.primary = function () {
    var t = this.peek();
    if (t === null) throw new ExpressionError("表达式不完整");
    this.at += 1;
    var kind = t[0], value = t[1];
    if (kind === "num") return ["lit", parseFloat(value)];
    if (kind === "str") return ["lit", value];
    if (kind === "ref") return ["ref", value];
    if (kind === "op" && value === ".") return ["cur"];
    if (kind === "op" && value === "(") { var node = this.binary(0); this.expect(")"); return node; }
    if (kind === "name") {
      if (this.takeOp(["("])) return this.call(value);
      return ["col", value];
    }
    throw new ExpressionError("此处不应出现“" + value + "”");
  };
  Parser.prototype.call = function (name) {
    if (!Object.prototype.hasOwnProperty.call(ARITY, name)) throw new ExpressionError("不支持的函数 " + name + "()");
    var args = [];
    if (!this.takeOp([")"])) {
      args.push(this.binary(0));
      while (this.takeOp([","])) args.push(this.binary(0));
      this.expect(")");
    }
    var low = ARITY[name][0], high = ARITY[name][1];
    if (args.length < low || (high !== null && args.length > high)) throw new ExpressionError("函数 " + name + "() 的参数个数不对");
    return ["call", name, args];
  };

  var cache = {};
  function parse(text) {
    if (!Object.prototype.hasOwnProperty.call(cache, text)) cache[text] = new Parser(text).parse();
    return cache[text];
  }

  // ---- context ----------------------------------------------------------------------------------------------
  // ctx: {answers, current, instance: [repeat, index] | null, choice, today, now, labels}
  function NodeList(items) { this.items = items; }

  function isInstances(value) {
    return Array.isArray(value) && value.length > 0 && value.every(function (v) { return v !== null && typeof v === "object" && !Array.isArray(v); });
  }
  function plain(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "boolean" || typeof value === "number") return value;
    if (Array.isArray(value) && !isInstances(value)) return value.map(String).join(" ");
    return value;
  }
  function lookup(name, ctx) {
    var answers = ctx.answers || {};
    if (ctx.instance) {
      var instances = answers[ctx.instance[0]] || [], index = ctx.instance[1];
      if (index >= 0 && index < instances.length && Object.prototype.hasOwnProperty.call(instances[index], name)) return plain(instances[index][name]);
    }
    if (Object.prototype.hasOwnProperty.call(answers, name)) {
      var value = answers[name];
      if (isInstances(value)) return new NodeList(value);
      if (Array.isArray(value) && !value.length && !ctx.instance) return "";
      return plain(value);
    }
    for (var key in answers) {
      var v = answers[key];
      if (isInstances(v) && v.some(function (i) { return Object.prototype.hasOwnProperty.call(i, name); })) {
        return new NodeList(v.map(function (i) { return plain(Object.prototype.hasOwnProperty.call(i, name) ? i[name] : ""); }));
      }
    }
    return "";
  }

  // ---- conversions --------------------------------------------------------------------------------------------
  function first(value) {
    if (value instanceof NodeList) {
      if (!value.items.length) return "";
      var head = value.items[0];
      return head !== null && typeof head === "object" ? "" : head;
    }
    return value;
  }
  function dayNumber(text) {
    var m = DATE.exec(text);
    if (!m) return null;
    var y = +m[1], mo = +m[2], d = +m[3];
    var t = Date.UTC(y, mo - 1, d), check = new Date(t);
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
    return Math.round(t / 86400000);
  }
  function toNumber(value) {
    value = first(value);
    if (typeof value === "boolean") return value ? 1 : 0;
    if (typeof value === "number") return value;
    var text = String(value);
    if (NUMBER.test(text)) return parseFloat(text.trim());
    var days = dayNumber(text.trim());
    return days !== null ? days : NaN;
  }
  function toString(value) {
    value = first(value);
    if (typeof value === "boolean") return value ? "true" : "false";
    if (typeof value === "number") {
      if (isNaN(value)) return "NaN";
      if (!isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
      return String(value);
    }
    return String(value);
  }
  function toBoolean(value) {
    if (value instanceof NodeList) return value.items.length > 0;
    if (typeof value === "boolean") return value;
    if (typeof value === "number") return !(value === 0 || isNaN(value));
    return String(value) !== "";
  }
  function numeric(value) { return typeof value === "number" || (typeof value === "string" && NUMBER.test(value)); }
  function isDate(value) { return typeof value === "string" && dayNumber(value) !== null; }

  function compare(op, left, right) {
    left = first(left); right = first(right);
    var a, b;
    if (typeof left === "boolean" || typeof right === "boolean") {
      if (op === "=" || op === "!=") { var same = toBoolean(left) === toBoolean(right); return op === "=" ? same : !same; }
      a = toNumber(toBoolean(left)); b = toNumber(toBoolean(right));
    } else if ((numeric(left) || isDate(left)) && (numeric(right) || isDate(right))) {
      a = toNumber(left); b = toNumber(right);
    } else if (op === "=" || op === "!=") {
      var s = toString(left) === toString(right); return op === "=" ? s : !s;
    } else {
      a = toNumber(left); b = toNumber(right);
    }
    if (op === "=") return a === b;
    if (op === "!=") return a !== b;
    if (isNaN(a) || isNaN(b)) return false;
    return op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b;
  }
  function arith(op, a, b) {
    if (op === "+") return a + b;
    if (op === "-") return a - b;
    if (op === "*") return a * b;
    if (op === "div") return a / b;
    if (b === 0 || isNaN(a) || isNaN(b) || !isFinite(a)) return NaN;
    return a % b;
  }
  function round(number, digits) {
    if (isNaN(number) || !isFinite(number) || isNaN(digits)) return number;
    var scale = Math.pow(10, Math.trunc(digits));
    var r = Math.floor(Math.abs(number) * scale + 0.5) / scale;
    return number < 0 || Object.is(number, -0) ? -r : r;
  }
  function dateText(value) {
    value = first(value);
    if (typeof value === "string" && dayNumber(value.trim().slice(0, 10)) !== null) return value.trim().slice(0, 10);
    var n = toNumber(value);
    if (isNaN(n) || !isFinite(n) || Math.abs(n) > 2900000) return "";
    return new Date(Math.floor(n) * 86400000).toISOString().slice(0, 10);
  }
  function tokens(value) { return toString(value).split(/\s+/).filter(function (t) { return t !== ""; }); }
  function localToday() {
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }

  // ---- evaluation -----------------------------------------------------------------------------------------------
  function call(name, args, ctx) {
    if (name === "if") return toBoolean(ev(args[0], ctx)) ? ev(args[1], ctx) : ev(args[2], ctx);
    var v = args.map(function (a) { return ev(a, ctx); });
    switch (name) {
      case "true": return true;
      case "false": return false;
      case "not": return !toBoolean(v[0]);
      case "selected": return tokens(v[0]).indexOf(toString(v[1]).trim()) >= 0;
      case "count-selected": return tokens(v[0]).length;
      case "selected-at": {
        var ts = tokens(v[0]), i = toNumber(v[1]);
        return !isNaN(i) && Math.trunc(i) >= 0 && Math.trunc(i) < ts.length ? ts[Math.trunc(i)] : "";
      }
      case "jr:choice-name": {
        var q = toString(v[1]).trim();
        if (q.slice(0, 2) === "${" && q.slice(-1) === "}") q = q.slice(2, -1);
        var chosen = toString(v[0]), labels = (ctx.labels || {})[q] || {};
        return Object.prototype.hasOwnProperty.call(labels, chosen) ? labels[chosen] : chosen;
      }
      case "string-length": return Array.from(toString(v[0])).length;
      case "concat": {
        var parts = [];
        v.forEach(function (x) {
          if (x instanceof NodeList) x.items.forEach(function (y) { parts.push(toString(y)); });
          else parts.push(toString(x));
        });
        return parts.join("");
      }
      case "number": return toNumber(v[0]);
      case "int": { var n = toNumber(v[0]); return isNaN(n) || !isFinite(n) ? n : Math.trunc(n); }
      case "round": return round(toNumber(v[0]), v.length > 1 ? toNumber(v[1]) : 0);
      case "string": return toString(v[0]);
      case "today": return ctx.today || localToday();
      case "now": return ctx.now || ((ctx.today || localToday()) + "T00:00:00");
      case "coalesce": { var f = toString(v[0]); return f !== "" ? f : toString(v[1]); }
      case "regex": try { return new RegExp(toString(v[1])).test(toString(v[0])); } catch (e) { return false; }
      case "contains": return toString(v[0]).indexOf(toString(v[1])) >= 0;
      case "starts-with": return toString(v[0]).slice(0, toString(v[1]).length) === toString(v[1]);
      case "ends-with": { var s = toString(v[0]), e = toString(v[1]); return e === "" || s.slice(-e.length) === e; }
      case "substr": {
        var chars = Array.from(toString(v[0])), start = toNumber(v[1]);
        var end = v.length > 2 ? toNumber(v[2]) : chars.length;
        if (isNaN(start) || isNaN(end)) return "";
        var si = Math.max(0, Math.trunc(start)), ei = Math.min(chars.length, Math.trunc(end));
        return ei > si ? chars.slice(si, ei).join("") : "";
      }
      case "count": return v[0] instanceof NodeList ? v[0].items.length : (v[0] === "" ? 0 : 1);
      case "sum": {
        var items = v[0] instanceof NodeList ? v[0].items : (v[0] === "" ? [] : [v[0]]);
        return items.reduce(function (acc, x) { return x !== null && typeof x === "object" ? acc : acc + toNumber(x); }, 0);
      }
      case "date": return dateText(v[0]);
    }
    throw new ExpressionError("不支持的函数 " + name + "()");
  }

  function ev(node, ctx) {
    switch (node[0]) {
      case "lit": return node[1];
      case "ref": return lookup(node[1], ctx);
      case "cur": return plain(ctx.current);
      case "col": return ctx.choice ? plain(Object.prototype.hasOwnProperty.call(ctx.choice, node[1]) ? ctx.choice[node[1]] : "") : "";
      case "neg": return -toNumber(ev(node[1], ctx));
      case "call": return call(node[1], node[2], ctx);
    }
    var op = node[1], left = node[2], right = node[3];
    if (op === "or") return toBoolean(ev(left, ctx)) || toBoolean(ev(right, ctx));
    if (op === "and") return toBoolean(ev(left, ctx)) && toBoolean(ev(right, ctx));
    if (["=", "!=", "<", "<=", ">", ">="].indexOf(op) >= 0) return compare(op, ev(left, ctx), ev(right, ctx));
    return arith(op, toNumber(ev(left, ctx)), toNumber(ev(right, ctx)));
  }

  function evaluate(text, ctx) {
    var value = ev(parse(text), ctx);
    return value instanceof NodeList ? first(value) : value;
  }
  function truth(text, ctx) { return toBoolean(ev(parse(text), ctx)); }

  root.XLSFormExpr = {
    parse: parse, evaluate: evaluate, truth: truth, toString: toString, toNumber: toNumber, toBoolean: toBoolean,
    ExpressionError: ExpressionError, localToday: localToday
  };
})(typeof window !== "undefined" ? window : this);

// ==== The form: the engine's walk in the browser (questionnaires/engine.py's twin), the renderer, the outbox ====
(function (root) {
  "use strict";
  var X = root.XLSFormExpr;
  var INPUT = { text: 1, integer: 1, decimal: 1, date: 1, time: 1, datetime: 1, select_one: 1, select_multiple: 1, geopoint: 1, image: 1 };

  function empty(v) { return v === undefined || v === null || v === "" || (Array.isArray(v) && !v.length); }
  function pathOf(name, inst) { return inst ? inst[0] + "[" + inst[1] + "]." + name : name; }
  function clone(o) { return JSON.parse(JSON.stringify(o)); }

  function labelsOf(nodes, out) {
    out = out || {};
    nodes.forEach(function (n) {
      if (n.choices) { out[n.name] = {}; n.choices.forEach(function (c) { out[n.name][c.name] = c.label; }); }
      if (n.children) labelsOf(n.children, out);
    });
    return out;
  }
  function calculated(v) {
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") return isFinite(v) ? v : "";
    return X.toString(v);
  }

  // checkForm(spec, answers, today) → {cleaned, errors, relevant, allowed}: the same walk as engine.validate.
  function checkForm(spec, answers, today) {
    var labels = labelsOf(spec.questions), raw = clone(answers), calcs = {}, work, relevant, allowed;
    function slot(inst) { return inst ? work[inst[0]][inst[1]] : work; }
    function ctx(inst, current, choice) { return { answers: work, current: current === undefined ? "" : current, instance: inst, choice: choice || null, today: today, labels: labels }; }
    function clear(node, inst) {
      var s = slot(inst);
      if (node.type === "group") node.children.forEach(function (c) { clear(c, inst); });
      else if (node.type === "repeat") s[node.name] = [];
      else if (Object.prototype.hasOwnProperty.call(s, node.name)) s[node.name] = "";
    }
    function settle(nodes, inst, parentRelevant) {
      nodes.forEach(function (node) {
        var here = parentRelevant && (!node.relevant || X.truth(node.relevant, ctx(inst)));
        relevant[pathOf(node.name, inst)] = here;
        if (!here) { clear(node, inst); return; }
        if (node.type === "group") settle(node.children, inst, true);
        else if (node.type === "repeat") (work[node.name] || []).forEach(function (_, i) { settle(node.children, [node.name, i], true); });
        else if (node.type === "calculate" && node.calculation) {
          var v = calculated(X.evaluate(node.calculation, ctx(inst)));
          slot(inst)[node.name] = v; calcs[JSON.stringify([inst, node.name])] = v;
        } else if (node.type === "today") slot(inst)[node.name] = today;
      });
    }
    for (var pass = 0; pass < 4; pass++) {
      var before = JSON.stringify(calcs);
      work = clone(raw);
      Object.keys(calcs).forEach(function (k) { var key = JSON.parse(k); try { (key[0] ? work[key[0][0]][key[0][1]] : work)[key[1]] = calcs[k]; } catch (e) { /* instance removed */ } });
      relevant = {}; calcs = {};
      settle(spec.questions, null, true);
      if (JSON.stringify(calcs) === before) break;
    }
    var errors = {}; allowed = {};
    function check(nodes, inst, cleaned) {
      nodes.forEach(function (node) {
        var path = pathOf(node.name, inst);
        if (!relevant[path]) return;
        if (node.type === "group") { check(node.children, inst, cleaned); return; }
        if (node.type === "repeat") {
          cleaned[node.name] = (work[node.name] || []).map(function (_, i) { var c = {}; check(node.children, [node.name, i], c); return c; });
          return;
        }
        var value = slot(inst)[node.name];
        if (value === undefined) value = "";
        if (node.type === "calculate" || node.type === "today") { if (!empty(value)) cleaned[node.name] = value; return; }
        if (!INPUT[node.type]) return;
        if (node.choices) {
          allowed[path] = node.choices.filter(function (c) { return !node.choice_filter || X.truth(node.choice_filter, ctx(inst, "", c)); }).map(function (c) { return c.name; });
        }
        if (empty(value)) {
          if (node.required || (node.required_expr && X.truth(node.required_expr, ctx(inst)))) errors[path] = node.required_message || "此题必答";
          return;
        }
        if (node.type === "integer" && !/^\s*-?\d+\s*$/.test(String(value))) { errors[path] = "请填写整数"; return; }
        if (node.type === "decimal" && !/^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/.test(String(value))) { errors[path] = "请填写数字"; return; }
        if (node.type === "geopoint") {
          var p = String(value).split(/\s+/).map(Number);
          if (p.length < 2 || p.some(isNaN) || Math.abs(p[0]) > 90 || Math.abs(p[1]) > 180) { errors[path] = "位置应为“纬度 经度”,纬度在 -90 到 90 之间,经度在 -180 到 180 之间"; return; }
        }
        if (node.choices) {
          var chosen = Array.isArray(value) ? value : [value];
          var wrong = chosen.filter(function (v) { return allowed[path].indexOf(v) < 0; });
          if (wrong.length) { errors[path] = "选项“" + wrong[0] + "”不在可选范围内"; return; }
        }
        if (node.constraint && !X.toBoolean(X.evaluate(node.constraint, ctx(inst, value)))) { errors[path] = node.constraint_message || "答案不符合要求"; return; }
        var typed = value;
        if (node.type === "integer") typed = parseInt(value, 10);
        else if (node.type === "decimal") typed = parseFloat(value);
        cleaned[node.name] = typed;
      });
    }
    var cleaned = {};
    check(spec.questions, null, cleaned);
    return { cleaned: cleaned, errors: errors, relevant: relevant, allowed: allowed };
  }

  // ---- outbox (IndexedDB): answers and photos kept on the phone until the server said 已收到 ----------------------
  function db() {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open("qform", 1);
      open.onupgradeneeded = function () { open.result.createObjectStore("outbox", { keyPath: "id" }); };
      open.onsuccess = function () { resolve(open.result); };
      open.onerror = function () { reject(open.error); };
    });
  }
  function store(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var tx = d.transaction("outbox", mode), result = fn(tx.objectStore("outbox"));
        tx.oncomplete = function () { resolve(result && result.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  var outbox = {
    put: function (item) { return store("readwrite", function (s) { return s.put(item); }); },
    remove: function (id) { return store("readwrite", function (s) { return s.delete(id); }); },
    all: function () { return store("readonly", function (s) { return s.getAll(); }); }
  };

  root.XLSForm = { checkForm: checkForm, outbox: outbox };

  // ---- the page ----------------------------------------------------------------------------------------------------
  function boot() {
    var form = document.getElementById("qform");
    if (!form) return;
    var spec = JSON.parse(document.getElementById("qform-spec").textContent);
    var config = JSON.parse(document.getElementById("qform-config").textContent);
    var answers = JSON.parse(document.getElementById("qform-prefill").textContent) || {};
    var files = {}, touched = {}, submitted = false, paper = { filled_on: "", visitor: "" };
    var instanceId = "uuid:" + (root.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));
    var startedAt = new Date().toISOString();
    form.setAttribute("data-instance", instanceId);
    var flash = document.getElementById("qform-flash"), statusBox = document.getElementById("qform-status");
    var outboxBox = document.getElementById("qform-outbox");

    function say(text, ok) { flash.hidden = false; flash.textContent = text; flash.className = "qform-flash" + (ok ? " ok" : ""); }
    function el(tag, attrs, text) {
      var e = document.createElement(tag);
      Object.keys(attrs || {}).forEach(function (k) { if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, attrs[k]); });
      if (text !== undefined) e.textContent = text;
      return e;
    }
    function getAt(path) {
      var m = /^(.+)\[(\d+)\]\.(.+)$/.exec(path);
      if (m) { var it = (answers[m[1]] || [])[+m[2]] || {}; return it[m[3]]; }
      return answers[path];
    }
    function setAt(path, value) {
      var m = /^(.+)\[(\d+)\]\.(.+)$/.exec(path);
      if (m) { answers[m[1]][+m[2]][m[3]] = value; } else answers[path] = value;
    }
    function defaultsInto(nodes, target) {
      nodes.forEach(function (n) {
        if (n.type === "group") defaultsInto(n.children, target);
        else if (n.type === "repeat") { if (!Array.isArray(target[n.name]) || !target[n.name].length) target[n.name] = [{}]; target[n.name].forEach(function (i) { defaultsInto(n.children, i); }); }
        else if (n["default"] && target[n.name] === undefined && INPUT[n.type]) target[n.name] = n.type === "select_multiple" ? n["default"].split(/\s+/) : n["default"];
      });
    }
    defaultsInto(spec.questions, answers);

    function question(node, inst) {
      var path = pathOf(node.name, inst), value = getAt(path), id = "q-" + path.replace(/[^A-Za-z0-9_-]/g, "_");
      var box = el("div", { "class": "qf-q", "data-path": path, "data-type": node.type });
      if (node.type === "note") { box.appendChild(el("p", { "class": "qf-note" }, node.label)); return box; }
      if (node.type === "calculate" || !INPUT[node.type]) { box.hidden = true; box.setAttribute("data-hidden", "1"); return box; }
      var label = el("label", { "class": "qf-label", "for": id }, node.label || node.name);
      if (node.required) label.appendChild(el("span", { "class": "qf-req" }, " *"));
      box.appendChild(label);
      if (node.hint) box.appendChild(el("div", { "class": "qf-hint" }, node.hint));
      var common = { id: id, name: path, "data-path": path };
      if (node.type === "select_one" || node.type === "select_multiple") {
        (node.choices || []).forEach(function (c, i) {
          var opt = el("label", { "class": "qf-option", "data-choice": c.name });
          var input = el("input", { type: node.type === "select_one" ? "radio" : "checkbox", name: path, value: c.name, "data-path": path, id: i === 0 ? id : null });
          var chosen = Array.isArray(value) ? value : (value ? String(value).split(/\s+/) : []);
          if (chosen.indexOf(c.name) >= 0) input.checked = true;
          opt.appendChild(input); opt.appendChild(document.createTextNode(" " + c.label));
          box.appendChild(opt);
        });
      } else if (node.type === "geopoint") {
        var parts = value ? String(value).split(/\s+/) : ["", ""];
        var geo = el("div", { "class": "qf-geo" });
        var lat = el("input", { type: "text", inputmode: "decimal", id: id, placeholder: "纬度", "data-geo": "lat", "data-path": path, "aria-label": "纬度" });
        var lon = el("input", { type: "text", inputmode: "decimal", placeholder: "经度", "data-geo": "lon", "data-path": path, "aria-label": "经度" });
        lat.value = parts[0] || ""; lon.value = parts[1] || "";
        var locate = el("button", { type: "button", "class": "qf-locate", "data-path": path }, "获取当前位置");
        geo.appendChild(lat); geo.appendChild(lon); geo.appendChild(locate); box.appendChild(geo);
      } else if (node.type === "image") {
        box.appendChild(el("input", Object.assign({ type: "file", accept: "image/*", capture: "environment" }, common)));
        if (value && files[value]) { var img = el("img", { "class": "qf-thumb", alt: "已选照片" }); img.src = URL.createObjectURL(files[value]); box.appendChild(img); }
      } else {
        var type = { integer: "number", decimal: "number", date: "date", time: "time", datetime: "datetime-local" }[node.type] || "text";
        var multiline = node.type === "text" && /multiline/.test(node.appearance || "");
        var input = el(multiline ? "textarea" : "input", Object.assign(multiline ? {} : { type: type }, common,
          node.type === "integer" ? { step: "1", inputmode: "numeric" } : node.type === "decimal" ? { step: "any", inputmode: "decimal" } : {}));
        if (node.readonly) input.readOnly = true;
        input.value = value === undefined || value === null ? "" : value;
        box.appendChild(input);
      }
      box.appendChild(el("div", { "class": "qf-error", "data-error": path, role: "alert" }));
      return box;
    }
    function nodes(list, inst, parent) {
      list.forEach(function (node) {
        if (node.type === "group") {
          var g = el("fieldset", { "class": "qf-group", "data-path": pathOf(node.name, inst) });
          if (node.label) g.appendChild(el("legend", {}, node.label));
          nodes(node.children, inst, g); parent.appendChild(g);
        } else if (node.type === "repeat") {
          var r = el("section", { "class": "qf-repeat", "data-path": node.name });
          r.appendChild(el("h2", {}, node.label || node.name));
          (answers[node.name] || []).forEach(function (_, i) {
            var item = el("div", { "class": "qf-repeat-item", "data-repeat": node.name, "data-index": String(i) });
            item.appendChild(el("div", { "class": "qf-repeat-title" }, (node.label || node.name) + " 第 " + (i + 1) + " 项"));
            nodes(node.children, [node.name, i], item);
            item.appendChild(el("button", { type: "button", "class": "qf-remove", "data-repeat": node.name, "data-index": String(i) }, "删除此项"));
            r.appendChild(item);
          });
          r.appendChild(el("button", { type: "button", "class": "qf-add", "data-repeat": node.name }, "+ 添加一项"));
          parent.appendChild(r);
        } else parent.appendChild(question(node, inst));
      });
    }
    function findNode(list, name) {
      for (var i = 0; i < list.length; i++) {
        if (list[i].name === name) return list[i];
        if (list[i].children) { var f = findNode(list[i].children, name); if (f) return f; }
      }
      return null;
    }
    function render() {
      form.innerHTML = "";
      if (config.paper) {
        var p = el("fieldset", { "class": "qf-group qf-paper" });
        p.appendChild(el("legend", {}, "纸质录入"));
        var d = el("div", { "class": "qf-q", "data-path": "_paper.filled_on" });
        d.appendChild(el("label", { "class": "qf-label", "for": "paper-filled-on" }, "填写日期 *"));
        var di = el("input", { type: "date", id: "paper-filled-on", "data-paper": "filled_on" }); di.value = paper.filled_on; d.appendChild(di);
        d.appendChild(el("div", { "class": "qf-error", "data-error": "_paper.filled_on" }));
        var v = el("div", { "class": "qf-q" });
        v.appendChild(el("label", { "class": "qf-label", "for": "paper-visitor" }, "走访人"));
        var vi = el("input", { type: "text", id: "paper-visitor", maxlength: "100", "data-paper": "visitor", placeholder: "纸质表上的走访人" }); vi.value = paper.visitor; v.appendChild(vi);
        p.appendChild(d); p.appendChild(v); form.appendChild(p);
      }
      nodes(spec.questions, null, form);
      var actions = el("div", { "class": "qf-actions" });
      actions.appendChild(el("button", { type: "submit", "class": "primary", id: "qform-submit" }, "提交"));
      form.appendChild(actions);
      refresh();
    }
    var serverErrors = {};
    function refresh() {
      var result = checkForm(spec, answers, X.localToday());
      form.querySelectorAll("[data-path]").forEach(function (e) {
        if (!e.classList.contains("qf-q") && !e.classList.contains("qf-group") && !e.classList.contains("qf-repeat")) return;
        var path = e.getAttribute("data-path");
        if (path.indexOf("_paper") === 0 || e.getAttribute("data-hidden")) return;
        e.hidden = result.relevant[path] === false;
      });
      Object.keys(result.allowed).forEach(function (path) {
        var box = form.querySelector('.qf-q[data-path="' + CSS.escape(path) + '"]');
        if (!box) return;
        box.querySelectorAll(".qf-option").forEach(function (o) {
          var ok = result.allowed[path].indexOf(o.getAttribute("data-choice")) >= 0;
          o.hidden = !ok;
          if (!ok) { var input = o.querySelector("input"); if (input.checked) { input.checked = false; readInput(input); } }
        });
      });
      var errors = Object.assign({}, serverErrors, result.errors);
      if (config.paper) {
        if (!paper.filled_on) errors["_paper.filled_on"] = "请填写纸质表的填写日期";
        else if (paper.filled_on > X.localToday()) errors["_paper.filled_on"] = "填写日期不能晚于今天";
      }
      form.querySelectorAll("[data-error]").forEach(function (e) {
        var path = e.getAttribute("data-error");
        e.textContent = (submitted || touched[path]) && errors[path] ? errors[path] : "";
      });
      return { result: result, errors: errors };
    }
    function readInput(input) {
      var path = input.getAttribute("data-path");
      if (!path) return;
      delete serverErrors[path];
      if (input.type === "checkbox") {
        var values = Array.prototype.map.call(form.querySelectorAll('input[type=checkbox][data-path="' + CSS.escape(path) + '"]:checked'), function (c) { return c.value; });
        setAt(path, values);
      } else if (input.type === "radio") {
        if (input.checked) setAt(path, input.value);
        else if (!form.querySelector('input[type=radio][data-path="' + CSS.escape(path) + '"]:checked')) setAt(path, "");
      } else if (input.getAttribute("data-geo")) {
        var box = input.closest(".qf-geo");
        var lat = box.querySelector("[data-geo=lat]").value.trim(), lon = box.querySelector("[data-geo=lon]").value.trim();
        setAt(path, lat || lon ? lat + " " + lon : "");
      } else if (input.type !== "file") setAt(path, input.value);
      touched[path] = true;
    }
    form.addEventListener("input", function (e) {
      if (e.target.getAttribute("data-paper")) { paper[e.target.getAttribute("data-paper")] = e.target.value; touched["_paper." + e.target.getAttribute("data-paper")] = true; refresh(); return; }
      readInput(e.target); refresh();
    });
    form.addEventListener("change", function (e) {
      var input = e.target, path = input.getAttribute("data-path");
      if (input.type === "file" && path) {
        var file = input.files && input.files[0];
        if (!file) return;
        resize(file).then(function (blob) {
          var name = path.replace(/[^A-Za-z0-9_-]/g, "_") + "-" + Math.random().toString(16).slice(2, 10) + ".jpg";
          files[name] = blob; setAt(path, name); touched[path] = true;
          var box = input.closest(".qf-q"), old = box.querySelector(".qf-thumb");
          if (old) old.remove();
          var img = el("img", { "class": "qf-thumb", alt: "已选照片" }); img.src = URL.createObjectURL(blob);
          input.after(img); refresh();
        }, function () { say("照片无法读取,请换一张"); });
        return;
      }
      if (e.target.getAttribute("data-paper")) return;
      readInput(input); refresh();
    });
    form.addEventListener("click", function (e) {
      var t = e.target;
      if (t.classList.contains("qf-add")) { answers[t.getAttribute("data-repeat")].push({}); render(); }
      else if (t.classList.contains("qf-remove")) { answers[t.getAttribute("data-repeat")].splice(+t.getAttribute("data-index"), 1); render(); }
      else if (t.classList.contains("qf-locate")) {
        var box = t.closest(".qf-geo");
        if (!navigator.geolocation) { say("此设备不能定位,请手工填写纬度和经度"); return; }
        t.textContent = "定位中…";
        navigator.geolocation.getCurrentPosition(function (pos) {
          box.querySelector("[data-geo=lat]").value = pos.coords.latitude.toFixed(6);
          box.querySelector("[data-geo=lon]").value = pos.coords.longitude.toFixed(6);
          readInput(box.querySelector("[data-geo=lat]")); refresh(); t.textContent = "获取当前位置";
        }, function () { t.textContent = "获取当前位置"; say("无法获取位置(未授权或无信号),请手工填写纬度和经度"); }, { timeout: 15000 });
      }
    });

    function resize(file) {
      return new Promise(function (resolve, reject) {
        var img = new Image(), url = URL.createObjectURL(file);
        img.onload = function () {
          var scale = Math.min(1, 1600 / Math.max(img.width, img.height));
          var canvas = document.createElement("canvas");
          canvas.width = Math.max(1, Math.round(img.width * scale)); canvas.height = Math.max(1, Math.round(img.height * scale));
          canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
          URL.revokeObjectURL(url);
          canvas.toBlob(function (blob) { blob ? resolve(blob) : reject(); }, "image/jpeg", 0.85);
        };
        img.onerror = function () { URL.revokeObjectURL(url); reject(); };
        img.src = url;
      });
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      submitted = true;
      var state = refresh();
      var count = Object.keys(state.errors).length;
      if (count) {
        say("还有 " + count + " 处需要修改:" + state.errors[Object.keys(state.errors)[0]]);
        var first = form.querySelector(".qf-error:not(:empty)");
        if (first) first.scrollIntoView({ block: "center" });
        return;
      }
      var photos = {};
      JSON.stringify(state.result.cleaned).replace(/"([A-Za-z0-9_-]+-[0-9a-f]{1,8}\.jpg)"/g, function (_, name) { if (files[name]) photos[name] = files[name]; });
      var item = {
        id: instanceId, url: config.submit_url, title: document.title, photos: photos, status: "pending", message: "",
        payload: { instance_id: instanceId, version: config.version, data: state.result.cleaned, household: config.household,
          unit: config.unit, prefilled_from: config.prefilled_from, started_at: startedAt, completed_at: new Date().toISOString(),
          channel: navigator.onLine ? "online" : "offline", paper: config.paper ? paper : null }
      };
      document.getElementById("qform-submit").disabled = true;
      outbox.put(item).then(function () {
        if (!navigator.onLine) say("当前没有网络:已保存在手机上,恢复网络后自动上传", true);
        return flush();
      });
    });

    function csrf() {
      var m = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
      return m ? decodeURIComponent(m[1]) : document.getElementById("qform-csrf").value;
    }
    var flushing = null;
    function send(item) {
      var body = new FormData();
      body.append("payload", JSON.stringify(item.payload));
      Object.keys(item.photos || {}).forEach(function (name) { body.append("photo:" + name, item.photos[name], name); });
      return fetch(item.url, { method: "POST", body: body, credentials: "same-origin", redirect: "manual", headers: { "X-CSRFToken": csrf(), "Accept": "application/json" } })
        .then(function (response) {
          if (response.type === "opaqueredirect" || response.status === 401) return { keep: true, message: "登录已失效:请重新登录,问卷仍保存在手机上" };
          return response.json().then(function (body) { return { status: response.status, body: body }; }, function () { return { keep: true, message: "服务器暂时不可用(" + response.status + "),稍后自动重试" }; });
        }, function () { return { keep: true, offline: true, message: "" }; });
    }
    function flush() {
      if (flushing) return flushing;
      flushing = outbox.all().then(function (items) {
        var pending = items.filter(function (i) { return i.status === "pending"; });
        return pending.reduce(function (chain, item) {
          return chain.then(function (stop) {
            if (stop) return true;
            return send(item).then(function (answer) {
              var mine = item.id === instanceId;
              if (answer.keep) {
                if (answer.offline && item.payload.channel === "online") { item.payload.channel = "offline"; outbox.put(item); }
                if (mine) say(answer.message || "当前没有网络:已保存在手机上,恢复网络后自动上传", !answer.message);
                return true;
              }
              if (answer.status >= 500) { if (mine) say("服务器暂时不可用,稍后自动重试"); return true; }
              if (answer.status < 300) {
                if (mine) say((answer.body && answer.body.message) || "已收到", true);
                return outbox.remove(item.id).then(function () { return false; });
              }
              var message = (answer.body && answer.body.message) || ("提交被拒绝(" + answer.status + ")");
              item.status = "refused"; item.message = message;
              if (mine) {
                say(message);
                serverErrors = (answer.body && answer.body.details && answer.body.details.errors) || {};
                document.getElementById("qform-submit").disabled = false;
                refresh();
              }
              return outbox.put(item).then(function () { return false; });
            });
          });
        }, Promise.resolve(false));
      }).then(showStatus, showStatus).then(function () { flushing = null; });
      return flushing;
    }
    function showStatus() {
      return outbox.all().then(function (items) {
        var pending = items.filter(function (i) { return i.status === "pending"; }).length;
        var refused = items.filter(function (i) { return i.status === "refused"; });
        statusBox.textContent = (pending ? "待上传 " + pending + " 份" : "已全部上传") + (refused.length ? " · 未被接收 " + refused.length + " 份(见下方)" : "");
        statusBox.className = "qform-status" + (pending || refused.length ? " pending" : "");
        outboxBox.innerHTML = "";
        refused.forEach(function (item) {
          var row = el("div", { "class": "refused", "data-instance": item.id });
          row.appendChild(el("div", {}, item.title + " · " + item.id + ":" + item.message));
          var again = el("button", { type: "button", "data-retry": item.id }, "重新发送");
          var drop = el("button", { type: "button", "data-drop": item.id }, "放弃此份");
          row.appendChild(again); row.appendChild(drop); outboxBox.appendChild(row);
        });
      });
    }
    outboxBox.addEventListener("click", function (e) {
      var retry = e.target.getAttribute("data-retry"), drop = e.target.getAttribute("data-drop");
      outbox.all().then(function (items) {
        var item = items.filter(function (i) { return i.id === (retry || drop); })[0];
        if (!item) return;
        if (drop && confirm("放弃后这份答卷将从手机上删除,确定吗?")) outbox.remove(item.id).then(showStatus);
        if (retry) { item.status = "pending"; outbox.put(item).then(flush); }
      });
    });
    root.addEventListener("online", flush);
    setInterval(function () { if (navigator.onLine) flush(); }, 30000);
    if ("serviceWorker" in navigator && config.sw) navigator.serviceWorker.register(config.sw, { scope: "/questionnaires/" }).catch(function () {});
    render();
    flush();
    root.XLSForm.page = { state: function () { var s = refresh(); return { errors: s.errors, answers: answers }; } };
  }
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot); else boot();
  }
})(typeof window !== "undefined" ? window : this);
