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
