#include "named_lists.hpp"

#include <wx/dataview.h>
#include <wx/listctrl.h>

namespace swarmshare::gui {
namespace {

void collect(wxWindow& window, std::vector<wxWindow*>& found) {
  for (wxWindow* child : window.GetChildren()) {
    found.push_back(child);
    collect(*child, found);
  }
}

} // namespace

std::vector<NamedList> NamedList::in(wxWindow& window) {
  std::vector<wxWindow*> children;
  collect(window, children);
  std::vector<NamedList> lists;
  for (wxWindow* child : children) {
    if (auto* list = dynamic_cast<wxListCtrl*>(child);
        list != nullptr && list->GetName() != wxListCtrlNameStr) {
      lists.push_back(NamedList(list));
    } else if (auto* view = dynamic_cast<wxDataViewCtrl*>(child);
               view != nullptr && view->GetName() != wxDataViewCtrlNameStr) {
      lists.push_back(NamedList(view));
    }
  }
  return lists;
}

std::string NamedList::name() const {
  return (list_ != nullptr ? list_->GetName() : view_->GetName()).utf8_string();
}

wxWindow& NamedList::window() const {
  return list_ != nullptr ? static_cast<wxWindow&>(*list_) : static_cast<wxWindow&>(*view_);
}

std::vector<int> NamedList::widths() const {
  std::vector<int> widths;
  if (list_ != nullptr) {
    for (int column = 0; column < list_->GetColumnCount(); ++column) {
      widths.push_back(list_->GetColumnWidth(column));
    }
  } else {
    for (unsigned column = 0; column < view_->GetColumnCount(); ++column) {
      widths.push_back(view_->GetColumn(column)->GetWidth());
    }
  }
  return widths;
}

void NamedList::set_width(std::size_t column, int width) {
  if (list_ != nullptr) {
    if (column < static_cast<std::size_t>(list_->GetColumnCount())) {
      list_->SetColumnWidth(static_cast<int>(column), width);
    }
  } else if (column < view_->GetColumnCount()) {
    view_->GetColumn(static_cast<unsigned>(column))->SetWidth(width);
  }
}

void NamedList::set_widths(const std::vector<int>& widths) {
  if (widths.size() != this->widths().size()) {
    return;
  }
  for (std::size_t column = 0; column < widths.size(); ++column) {
    set_width(column, widths[column]);
  }
}

} // namespace swarmshare::gui
