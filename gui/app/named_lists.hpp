#pragma once
// The lists of a window whose column widths are remembered: report lists (wxListCtrl) and
// data views (wxDataViewCtrl) that were given a name, found wherever they sit in the window.
#include <cstddef>
#include <string>
#include <vector>

class wxDataViewCtrl;
class wxListCtrl;
class wxWindow;

namespace swarmshare::gui {

class NamedList {
public:
  /// Every named list under `window`, in window order.
  [[nodiscard]] static std::vector<NamedList> in(wxWindow& window);

  [[nodiscard]] std::string name() const;
  [[nodiscard]] wxWindow& window() const;
  [[nodiscard]] std::vector<int> widths() const;
  void set_width(std::size_t column, int width);
  /// Sets every width when `widths` has one per column (a saved entry of another version
  /// of the list is ignored).
  void set_widths(const std::vector<int>& widths);

private:
  explicit NamedList(wxListCtrl* list) : list_(list) {}
  explicit NamedList(wxDataViewCtrl* view) : view_(view) {}

  wxListCtrl* list_ = nullptr;
  wxDataViewCtrl* view_ = nullptr;
};

} // namespace swarmshare::gui
