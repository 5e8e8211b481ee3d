// The header's enterprise search: suggestions from /api/enterprises/suggest as links to the enterprise pages.
(() => {
  const input = document.getElementById("enterprise-search");
  const list = document.getElementById("enterprise-suggestions");
  if (!input || !list) return;
  let timer = null;
  let asked = "";

  function show(items) {
    list.replaceChildren(...items.map(item => {
      const link = document.createElement("a");
      link.href = "/enterprises/" + encodeURIComponent(item.uscc);
      link.textContent = item.name;
      const place = document.createElement("small");
      place.textContent = item.place + " · " + item.uscc;
      link.append(place);
      const row = document.createElement("li");
      row.setAttribute("role", "option");
      row.append(link);
      return row;
    }));
    list.hidden = items.length === 0;
  }

  async function ask() {
    const q = input.value.trim();
    if (q === asked) return;
    asked = q;
    if (!q) return show([]);
    const response = await fetch("/api/enterprises/suggest?q=" + encodeURIComponent(q));
    if (response.ok && q === input.value.trim()) show(await response.json());
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(ask, 150); });
  input.addEventListener("keydown", event => {
    if (event.key === "ArrowDown" && !list.hidden) { event.preventDefault(); list.querySelector("a").focus(); }
    if (event.key === "Escape") list.hidden = true;
  });
  list.addEventListener("keydown", event => {
    const row = document.activeElement.closest("li");
    const next = event.key === "ArrowDown" ? row.nextElementSibling : event.key === "ArrowUp" ? row.previousElementSibling : null;
    if (next) { event.preventDefault(); next.querySelector("a").focus(); }
  });
  document.addEventListener("click", event => { if (!event.target.closest("form.search")) list.hidden = true; });
})();
