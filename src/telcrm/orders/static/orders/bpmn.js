/* Diagrams of processes with bpmn-js (viewer or modeler, whichever bundle the page loaded as BpmnJS).
 *
 * <div class="bpmn-canvas" data-bpmn-xml="id-of-json-script" [data-mode="edit"] [data-marks="id-of-json-script"]>
 * marks: {"done": [...ids], "active": [...ids], "error": [...ids]} → CSS classes telcrm-done/-active/-error.
 * In edit mode the page's form [data-bpmn-form] gets the modeler's XML in its textarea[name=bpmn_xml] before
 * it is sent; the XML tab and the diagram tab are kept in step when switching.
 */
(function () {
  "use strict";

  function readJson(id) {
    var el = id && document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function mark(viewer, marks) {
    if (!marks) return;
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    [["done", "telcrm-done"], ["active", "telcrm-active"], ["error", "telcrm-error"]].forEach(function (pair) {
      (marks[pair[0]] || []).forEach(function (id) {
        if (registry.get(id)) canvas.addMarker(id, pair[1]);
      });
    });
  }

  function show(el, viewer, xml, marks) {
    return viewer.importXML(xml).then(function () {
      viewer.get("canvas").zoom("fit-viewport", "auto");
      mark(viewer, marks);
    }).catch(function (err) {
      el.innerHTML = "";
      var p = document.createElement("p");
      p.className = "text-danger small p-3";
      p.textContent = (el.dataset.errorText || "The diagram cannot be shown") + ": " + (err && err.message ? err.message : err);
      el.appendChild(p);
    });
  }

  function setup(el) {
    if (typeof window.BpmnJS === "undefined") return;
    var xml = readJson(el.dataset.bpmnXml) || "";
    var marks = readJson(el.dataset.marks);
    var viewer = new window.BpmnJS({ container: el });
    show(el, viewer, xml, marks);
    if (el.dataset.mode !== "edit") return;

    var form = document.querySelector("[data-bpmn-form]");
    var textarea = form && form.querySelector("textarea[name=bpmn_xml]");
    if (!form || !textarea) return;
    textarea.value = xml;
    var current = "diagram";

    function toXml() {
      return viewer.saveXML({ format: true }).then(function (result) { textarea.value = result.xml; });
    }
    document.querySelectorAll("[data-bpmn-tab]").forEach(function (tab) {
      tab.addEventListener("shown.bs.tab", function () {
        var next = tab.dataset.bpmnTab;
        if (next === current) return;
        if (next === "xml") {
          toXml();
        } else {
          show(el, viewer, textarea.value, marks);
        }
        current = next;
      });
    });
    form.addEventListener("submit", function (event) {
      if (current !== "diagram") return;  // the XML tab's textarea is what is sent
      event.preventDefault();
      toXml().then(function () { form.submit(); });  // submit() sends without firing this handler again
    });
    var check = document.querySelector("[data-bpmn-check]");
    if (check) {
      check.addEventListener("click", function () {
        var go = current === "diagram" ? toXml() : Promise.resolve();
        go.then(function () {
          var body = new FormData();
          body.append("bpmn_xml", textarea.value);
          return fetch(check.dataset.url, {
            method: "POST",
            body: body,
            headers: { "X-CSRFToken": document.querySelector("meta[name=csrf-token]").content, "HX-Request": "true" },
            credentials: "same-origin",
          });
        }).then(function (response) { return response.text(); }).then(function (html) {
          var target = document.getElementById(check.dataset.target);
          if (target) target.innerHTML = html;
          var ids = Array.prototype.map.call(document.querySelectorAll("#" + check.dataset.target + " [data-element]"), function (n) { return n.dataset.element; });
          var canvas = viewer.get("canvas");
          var registry = viewer.get("elementRegistry");
          registry.getAll().forEach(function (e) { canvas.removeMarker(e.id, "telcrm-error"); });
          ids.forEach(function (id) { if (id && registry.get(id)) canvas.addMarker(id, "telcrm-error"); });
        });
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".bpmn-canvas[data-bpmn-xml]").forEach(setup);
  });
})();
